using System.Buffers.Binary;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Transport;

/*L:510
 * The common configuration structure (virtio 1.2 section 4.1.4.3) and the
 * device status dance of section 3.1.1: the driver acknowledges the device,
 * reads our features, writes the ones it accepts, sets FEATURES_OK and reads
 * it back (we clear it if it accepted something we never offered, or left
 * out VERSION_1), configures and enables its queues, and finally sets
 * DRIVER_OK, at which point the device starts work. Writing 0 resets it all.
 */
public sealed partial class VirtioPci
{
    private const ushort NoVector = 0xFFFF;
    private const byte StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4, StatusFeaturesOk = 8,
        StatusNeedsReset = 0x40, StatusFailed = 0x80;

    private readonly ushort[] _queueVector;
    private ushort _configVector = NoVector;
    private uint _deviceFeatureSelect, _driverFeatureSelect;
    private ulong _driverFeatures;
    private byte _status, _isr;
    private readonly object _isrLock = new();
    /// <summary>Set (once) when the driver broke a rule: the device needs a reset. Set from any thread without _lock.</summary>
    private string? _failure;
    private ushort _queueSelect;
    private DeviceWorker? _worker;

    /// <summary>Everything we offer: the device's own bits plus what our transport and queues implement.</summary>
    private ulong OfferedFeatures => _dev.Features | VirtioFeatures.Bit(VirtioFeatures.Version1) |
                                     VirtioFeatures.Bit(VirtioFeatures.IndirectDesc) | VirtioFeatures.Bit(VirtioFeatures.EventIdx);

    private byte CurrentStatus => (byte)(_status | (Volatile.Read(ref _failure) is null ? 0 : StatusNeedsReset));

    private Virtqueue? SelectedQueue => _queueSelect < _queues.Length ? _queues[_queueSelect] : null;

    private void ReadCommon(int offset, Span<byte> data)
    {
        Span<byte> c = stackalloc byte[CommonSize];
        c.Clear();
        lock (_lock)
        {
            ulong offered = OfferedFeatures;
            BinaryPrimitives.WriteUInt32LittleEndian(c, _deviceFeatureSelect);
            BinaryPrimitives.WriteUInt32LittleEndian(c[0x04..], _deviceFeatureSelect switch
            {
                0 => (uint)offered, 1 => (uint)(offered >> 32), _ => 0,
            });
            BinaryPrimitives.WriteUInt32LittleEndian(c[0x08..], _driverFeatureSelect);
            BinaryPrimitives.WriteUInt32LittleEndian(c[0x0C..], _driverFeatureSelect switch
            {
                0 => (uint)_driverFeatures, 1 => (uint)(_driverFeatures >> 32), _ => 0,
            });
            BinaryPrimitives.WriteUInt16LittleEndian(c[0x10..], _configVector);
            BinaryPrimitives.WriteUInt16LittleEndian(c[0x12..], (ushort)_queues.Length);
            c[0x14] = CurrentStatus;
            c[0x15] = 0; // config_generation: our device configuration never changes under the driver
            BinaryPrimitives.WriteUInt16LittleEndian(c[0x16..], _queueSelect);
            if (SelectedQueue is { } vq)
            {
                // 4.1.4.3.2: a queue that does not exist reads as size 0; the rest stays 0 too.
                BinaryPrimitives.WriteUInt16LittleEndian(c[0x18..], vq.Size);
                BinaryPrimitives.WriteUInt16LittleEndian(c[0x1A..], _queueVector[_queueSelect]);
                BinaryPrimitives.WriteUInt16LittleEndian(c[0x1C..], (ushort)(vq.Enabled ? 1 : 0));
                BinaryPrimitives.WriteUInt16LittleEndian(c[0x1E..], _queueSelect); // queue_notify_off
                BinaryPrimitives.WriteUInt64LittleEndian(c[0x20..], vq.DescGpa);
                BinaryPrimitives.WriteUInt64LittleEndian(c[0x28..], vq.AvailGpa);
                BinaryPrimitives.WriteUInt64LittleEndian(c[0x30..], vq.UsedGpa);
            }
        }
        c.Slice(offset, data.Length).CopyTo(data);
    }

    private void WriteCommon(int offset, ReadOnlySpan<byte> data)
    {
        ulong v = data.Length switch
        {
            1 => data[0], 2 => BinaryPrimitives.ReadUInt16LittleEndian(data),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(data), 8 => BinaryPrimitives.ReadUInt64LittleEndian(data), _ => 0,
        };
        lock (_lock)
        {
            try
            {
                WriteField(offset, data.Length, v);
            }
            catch (VirtqueueViolation e)
            {
                NeedsReset($"queue {_queueSelect}: {e.Message}");
            }
        }
    }

    private void WriteField(int offset, int size, ulong v)
    {
        var vq = SelectedQueue;
        switch (offset, size)
        {
            case (0x00, 4): _deviceFeatureSelect = (uint)v; break;
            case (0x08, 4): _driverFeatureSelect = (uint)v; break;
            case (0x0C, 4):
                if ((_status & StatusFeaturesOk) != 0) break; // 3.1.1: features are fixed once FEATURES_OK
                if (_driverFeatureSelect == 0) _driverFeatures = (_driverFeatures & ~0xFFFF_FFFFUL) | (uint)v;
                else if (_driverFeatureSelect == 1) _driverFeatures = (_driverFeatures & 0xFFFF_FFFFUL) | (v << 32);
                break;
            case (0x10, 2): _configVector = v < (ulong)_msix.Vectors ? (ushort)v : NoVector; break;
            case (0x14, 1): WriteStatus((byte)v); break;
            case (0x16, 2): _queueSelect = (ushort)v; break;
            case (0x18, 2): if (vq is { Enabled: false }) vq.Size = (ushort)v; break;
            case (0x1A, 2): if (vq is not null) _queueVector[_queueSelect] = v < (ulong)_msix.Vectors ? (ushort)v : NoVector; break;
            case (0x1C, 2): if (vq is not null && v == 1) EnableQueue(vq); break;
            case (0x20, 4 or 8) or (0x24, 4): if (vq is { Enabled: false }) vq.DescGpa = Merge(vq.DescGpa, offset - 0x20, size, v); break;
            case (0x28, 4 or 8) or (0x2C, 4): if (vq is { Enabled: false }) vq.AvailGpa = Merge(vq.AvailGpa, offset - 0x28, size, v); break;
            case (0x30, 4 or 8) or (0x34, 4): if (vq is { Enabled: false }) vq.UsedGpa = Merge(vq.UsedGpa, offset - 0x30, size, v); break;
            default:
                if (Log.IsVerbose) Log.Verbose($"{_dev.Name}: ignored {size}-byte write to common config offset 0x{offset:x}");
                break;
        }
    }

    /// <summary>64-bit fields may arrive as two 32-bit halves (Linux writes them that way).</summary>
    private static ulong Merge(ulong old, int half, int size, ulong v) => size == 8 ? v
        : half == 0 ? (old & 0xFFFF_FFFF_0000_0000) | (uint)v
        : (old & 0xFFFF_FFFF) | (v << 32);

    private void EnableQueue(Virtqueue vq)
    {
        // The features decide how the ring is read; they are fixed by now (FEATURES_OK comes before queue setup).
        vq.EventIdx = Negotiated(VirtioFeatures.EventIdx);
        vq.IndirectDesc = Negotiated(VirtioFeatures.IndirectDesc);
        vq.Enable();
    }

    private bool Negotiated(int bit) => (_driverFeatures & VirtioFeatures.Bit(bit)) != 0;

    private void WriteStatus(byte v)
    {
        if (v == 0)
        {
            ResetLocked();
            return;
        }
        byte added = (byte)(v & ~_status);
        if ((added & StatusFeaturesOk) != 0)
        {
            ulong extra = _driverFeatures & ~OfferedFeatures;
            if (extra != 0 || !Negotiated(VirtioFeatures.Version1))
            {
                // 3.1.1 step 5: the driver re-reads status; FEATURES_OK still clear means "no".
                Log.Warning(extra != 0
                    ? $"{_dev.Name}: the driver accepted features we did not offer (0x{extra:x}); refusing FEATURES_OK"
                    : $"{_dev.Name}: the driver did not accept VIRTIO_F_VERSION_1; refusing FEATURES_OK (legacy drivers are not supported)");
                v &= unchecked((byte)~StatusFeaturesOk);
            }
        }
        if ((added & StatusDriverOk) != 0 && (v & StatusFeaturesOk) == 0)
        {
            Log.Warning($"{_dev.Name}: DRIVER_OK without FEATURES_OK; the device stays stopped");
            v &= unchecked((byte)~StatusDriverOk);
        }
        _status = v;
        if ((added & StatusDriverOk) != 0 && (_status & StatusDriverOk) != 0) StartLocked();
    }

    private void StartLocked()
    {
        var worker = new DeviceWorker(_dev.Name, e => DeviceFailed(e));
        for (int q = 0; q < _queues.Length; q++)
        {
            int queue = q;
            worker.Watch(_kicks[q], () => ServeQueue(queue));
        }
        var ctx = new VirtioContext(_mem, _queues, _driverFeatures, Interrupt, worker);
        _dev.Activate(ctx);
        _worker = worker;
        worker.Start();
        // Kicks that arrived before DRIVER_OK are waiting in the eventfds; the worker sees them at once.
    }

    private void ServeQueue(int q)
    {
        if (_failure is null && _queues[q].Enabled && !_queues[q].Broken) _dev.Process(q);
    }

    /// <summary>A device's worker failed: a driver broke a ring rule (or we have a bug). The worker has stopped itself.</summary>
    private void DeviceFailed(Exception e)
    {
        int q = e is VirtqueueViolation ? Array.FindIndex(_queues, x => x.Broken) : -1;
        string why = e is VirtqueueViolation v ? $"queue {q}: {v.Message}" : $"{e.GetType().Name}: {e.Message}";
        NeedsReset(why);
    }

    /*
     * 2.1.2: DEVICE_NEEDS_RESET, a configuration-change interrupt to tell the
     * driver, and no more service until it resets us. The VM runs on. This is
     * reached from the worker thread as well as the vCPU, so it takes no lock
     * the vCPU may hold while it waits for the worker.
     */
    private void NeedsReset(string why)
    {
        if (Interlocked.CompareExchange(ref _failure, why, null) is not null) return;
        Log.Warning($"{_dev.Name}: the driver broke the virtio rules ({why}); the device needs a reset");
        ConfigChanged();
    }

    private void ResetLocked()
    {
        StopWorker();
        foreach (var vq in _queues) vq.Reset();
        _dev.Reset();
        Array.Fill(_queueVector, NoVector);
        _configVector = NoVector;
        _driverFeatures = 0;
        _deviceFeatureSelect = _driverFeatureSelect = 0;
        _queueSelect = 0;
        _status = 0;
        Volatile.Write(ref _failure, null);
        lock (_isrLock)
        {
            _isr = 0;
            _intx?.Set(false);
        }
    }

    private void StopWorker()
    {
        _worker?.Stop();
        _worker?.Dispose();
        _worker = null;
    }

    /// <summary>Interrupts the driver about queue <paramref name="q"/>: its MSI-X vector, or ISR bit 0 and INTx.</summary>
    private void Interrupt(int q)
    {
        if (_msix.Enabled)
        {
            _msix.Notify(_queueVector[q]);
            return;
        }
        lock (_isrLock)
        {
            _isr |= 1;
            _intx?.Set(true);
        }
    }

    private void ConfigChanged()
    {
        if (_msix.Enabled) { _msix.Notify(_configVector); return; }
        lock (_isrLock)
        {
            _isr |= 2;
            _intx?.Set(true);
        }
    }

    /// <summary>4.1.4.5: reading ISR status clears it and lowers the INTx line.</summary>
    private byte ReadIsr()
    {
        lock (_isrLock)
        {
            byte v = _isr;
            _isr = 0;
            _intx?.Set(false);
            return v;
        }
    }
}
