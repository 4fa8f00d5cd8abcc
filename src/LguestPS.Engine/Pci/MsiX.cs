using System.Buffers.Binary;
using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Pci;

/*L:300
 * MSI-X (PCI 3.0 section 6.8.2): each vector is a little table entry in a
 * BAR holding a message address, data and a mask bit, and firing it is a
 * memory write the interrupt controller turns into an interrupt. We give
 * each virtqueue its own vector, routed through KVM to an irqfd, so a device
 * thread interrupts the guest with one eventfd write and no exit: that is
 * why we chose MSI-X over INTx (which would need an ISR read, an exit, for
 * every interrupt to lower a shared level-triggered line).
 *
 * A masked vector (or a masked function) does not fire; it sets its pending
 * bit, and fires when unmasked, as the spec requires.
 */
public sealed class MsiX : IMmioDevice
{
    public const byte CapId = 0x11;
    private const ushort ControlEnable = 1 << 15, ControlFunctionMask = 1 << 14;
    private const int EntrySize = 16;
    private const uint VectorMasked = 1;

    private readonly byte[] _table;
    private readonly ulong[] _pending;
    private readonly uint[] _handles;
    private readonly IMsiRouter _router;
    private readonly object _lock = new();
    private ushort _control;

    public int Vectors { get; }
    /// <summary>Offset of the PBA inside the table region handed to Read/Write (the table starts at 0).</summary>
    public int PbaOffset { get; }
    /// <summary>Bytes the table and PBA span.</summary>
    public int RegionSize => PbaOffset + _pending.Length * 8;

    public MsiX(int vectors, IMsiRouter router)
    {
        if (vectors is < 1 or > 2048) throw new ArgumentOutOfRangeException(nameof(vectors));
        Vectors = vectors;
        _router = router;
        _table = new byte[vectors * EntrySize];
        _pending = new ulong[(vectors + 63) / 64];
        _handles = new uint[vectors];
        PbaOffset = (vectors * EntrySize + 4095) & ~4095;
        for (int v = 0; v < vectors; v++)
        {
            _handles[v] = router.Allocate();
            BinaryPrimitives.WriteUInt32LittleEndian(_table.AsSpan(v * EntrySize + 12), VectorMasked);
        }
    }

    /// <summary>True when the driver enabled MSI-X: interrupts go out as messages, not on INTx.</summary>
    public bool Enabled { get { lock (_lock) return (_control & ControlEnable) != 0; } }

    /// <summary>The capability body after id/next: message control, table and PBA offset/BIR (table at tableOffset in BAR bar).</summary>
    public byte[] CapabilityBody(int bar, uint tableOffset)
    {
        var b = new byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(Vectors - 1));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), tableOffset | (uint)bar);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(6), (tableOffset + (uint)PbaOffset) | (uint)bar);
        return b;
    }

    /// <summary>Write mask for the capability body: only Enable and Function Mask are the guest's.</summary>
    public static byte[] CapabilityMask() => [0x00, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The guest wrote message control (in configuration space).</summary>
    public void ControlWritten(ushort control)
    {
        lock (_lock)
        {
            _control = (ushort)(control & (ControlEnable | ControlFunctionMask));
            FirePendingLocked();
        }
    }

    /// <summary>Raises vector <paramref name="v"/>; false if the vector does not exist (the driver chose no vector).</summary>
    public bool Notify(int v)
    {
        if ((uint)v >= (uint)Vectors) return false;
        lock (_lock)
        {
            if (IsMaskedLocked(v)) _pending[v / 64] |= 1UL << (v % 64);
            else _router.Fire(_handles[v]);
        }
        return true;
    }

    private bool IsMaskedLocked(int v) =>
        (_control & ControlEnable) == 0 || (_control & ControlFunctionMask) != 0 ||
        (BinaryPrimitives.ReadUInt32LittleEndian(_table.AsSpan(v * EntrySize + 12)) & VectorMasked) != 0;

    private void FirePendingLocked()
    {
        for (int v = 0; v < Vectors; v++)
            if ((_pending[v / 64] & (1UL << (v % 64))) != 0 && !IsMaskedLocked(v))
            {
                _pending[v / 64] &= ~(1UL << (v % 64));
                _router.Fire(_handles[v]);
            }
    }

    // The table and PBA, as MMIO. Accesses are DWORD or QWORD aligned (PCI 3.0 6.8.2); others are ignored.
    public void Read(ulong offset, Span<byte> data)
    {
        data.Clear();
        if (!Aligned(offset, data.Length)) return;
        lock (_lock)
        {
            if (offset + (ulong)data.Length <= (ulong)_table.Length)
                _table.AsSpan((int)offset, data.Length).CopyTo(data);
            else if (offset >= (ulong)PbaOffset && offset - (ulong)PbaOffset + (ulong)data.Length <= (ulong)_pending.Length * 8)
            {
                Span<byte> pba = stackalloc byte[_pending.Length * 8];
                for (int i = 0; i < _pending.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(pba[(i * 8)..], _pending[i]);
                pba.Slice((int)(offset - (ulong)PbaOffset), data.Length).CopyTo(data);
            }
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (!Aligned(offset, data.Length) || offset + (ulong)data.Length > (ulong)_table.Length) return; // the PBA is read-only
        lock (_lock)
        {
            data.CopyTo(_table.AsSpan((int)offset));
            int v = (int)offset / EntrySize;
            int last = (int)(offset + (ulong)data.Length - 1) / EntrySize;
            for (; v <= last; v++)
            {
                var e = _table.AsSpan(v * EntrySize);
                ulong addr = BinaryPrimitives.ReadUInt64LittleEndian(e);
                uint msg = BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
                _router.Route(_handles[v], addr, msg);
            }
            FirePendingLocked();
        }
    }

    private static bool Aligned(ulong offset, int len) => len is 4 or 8 && offset % (ulong)len == 0;
}
