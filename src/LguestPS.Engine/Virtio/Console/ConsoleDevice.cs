using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Chardev;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Console;

/*L:530
 * The console (virtio 1.2 section 5.3), always present as the seed's device
 * 1: hvc0 in the guest. Port 0 only (no MULTIPORT): receiveq 0 carries what
 * the user types, transmitq 1 what the guest prints. The emergency-write
 * register lets a guest print before its queues exist.
 *
 * Input arrives from the stdin thread into a small buffer and moves into the
 * guest's receive buffers on the device thread whenever both exist; when the
 * buffer is full, the stdin thread waits (SpaceAvailable), so no keystroke
 * is lost however slowly the guest reads.
 */
public sealed class ConsoleDevice : IVirtioDevice
{
    public const int FeatureEmergWrite = 2;
    private const int ConfigEmergWr = 8;
    private const int InputCapacity = 4096;

    /// <summary>Where the guest's output goes (the VMM may wrap the sink it was built with).</summary>
    public IConsoleSink Output { get; set; }
    private readonly byte[] _input = new byte[InputCapacity];
    private int _inHead, _inCount;
    private readonly object _inLock = new();
    private readonly EventFd _inputReady = new();
    private VirtioContext? _ctx;
    private DescChain? _rxChain, _txChain;

    public ConsoleDevice(IConsoleSink output) => Output = output;

    public string Name => Events.Ready.DeviceNames.Console;
    public VirtioDeviceType Type => VirtioDeviceType.Console;
    public (byte Class, byte Subclass) PciClass => (0x07, 0x80); // simple communication controller, other
    public ulong Features => VirtioFeatures.Bit(FeatureEmergWrite);
    public IReadOnlyList<ushort> QueueMaxSizes { get; } = [256, 256];
    public int ConfigSize => 12; // cols, rows (le16), max_nr_ports (le32), emerg_wr (le32)

    /// <summary>True while a driver has the device running: input may go here.</summary>
    public bool Active => Volatile.Read(ref _ctx) is not null;

    /// <summary>Raised when input space frees up (the stdin thread may be waiting for it).</summary>
    public event Action? SpaceAvailable;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> cfg = stackalloc byte[ConfigSize];
        cfg.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(cfg[4..], 1); // max_nr_ports: meaningful only with MULTIPORT
        cfg.Slice(offset, data.Length).CopyTo(data);
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        // 5.3.4: a write to emerg_wr prints its low byte at once, queues or not.
        if (offset == ConfigEmergWr && data.Length is 1 or 2 or 4) Output.Write(data[..1]);
    }

    /// <summary>Queues typed input; returns how many bytes fit (the rest must be offered again later).</summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        int n;
        lock (_inLock)
        {
            n = Math.Min(data.Length, InputCapacity - _inCount);
            for (int i = 0; i < n; i++) _input[(_inHead + _inCount + i) % InputCapacity] = data[i];
            _inCount += n;
        }
        if (n > 0) _inputReady.Signal();
        return n;
    }

    public void Activate(VirtioContext ctx)
    {
        _rxChain = ctx.Queues[0].NewChain();
        _txChain = ctx.Queues[1].NewChain();
        ctx.Worker.Watch(_inputReady, () => Process(0));
        Volatile.Write(ref _ctx, ctx);
    }

    public void Process(int queue)
    {
        if (Volatile.Read(ref _ctx) is not { } ctx) return;
        if (queue == 0) FillReceive(ctx);
        else Transmit(ctx);
    }

    private void Transmit(VirtioContext ctx)
    {
        var vq = ctx.Queues[1];
        var chain = _txChain!;
        do
        {
            vq.DisableNotifications();
            while (vq.TryPop(chain))
            {
                for (var span = chain.Reader.GetSpan(); !span.IsEmpty; span = chain.Reader.GetSpan())
                {
                    Output.Write(span);
                    chain.Reader.Advance((uint)span.Length);
                }
                vq.PushUsed(chain, 0);
            }
            if (vq.NeedsInterrupt()) ctx.Interrupt(1);
        } while (vq.EnableNotifications());
    }

    private void FillReceive(VirtioContext ctx)
    {
        var vq = ctx.Queues[0];
        var chain = _rxChain!;
        bool freed = false;
        while (true)
        {
            lock (_inLock) if (_inCount == 0) break;
            if (!vq.TryPop(chain))
            {
                // No buffer: ask for a kick when the driver posts one, unless it just did.
                if (!vq.EnableNotifications()) break;
                continue;
            }
            lock (_inLock)
            {
                while (_inCount > 0)
                {
                    var span = chain.Writer.GetSpan(Math.Min(_inCount, InputCapacity - _inHead));
                    if (span.IsEmpty) break;
                    _input.AsSpan(_inHead, span.Length).CopyTo(span);
                    chain.Writer.Advance((uint)span.Length);
                    _inHead = (_inHead + span.Length) % InputCapacity;
                    _inCount -= span.Length;
                    freed = true;
                }
            }
            vq.PushUsed(chain);
            if (vq.NeedsInterrupt()) ctx.Interrupt(0);
        }
        if (freed) SpaceAvailable?.Invoke();
    }

    public void Reset()
    {
        Volatile.Write(ref _ctx, null);
        _rxChain = _txChain = null;
    }
}
