using System.Buffers.Binary;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Pci;

/*L:290
 * A PCI function's 256-byte configuration space. Each byte has a write mask:
 * the guest may change only the bits the mask lets through, which is how
 * read-only IDs, BAR size bits and capability headers stay what we said they
 * were, whatever the guest writes. Subclasses add behaviour in OnWrite.
 */
public class PciFunction
{
    public const int ConfigSize = 256;
    protected readonly byte[] Config = new byte[ConfigSize];
    protected readonly byte[] WriteMask = new byte[ConfigSize];
    public string Name { get; }

    // Standard header offsets (PCI Local Bus spec 3.0, section 6.1)
    public const int VendorId = 0x00, DeviceId = 0x02, Command = 0x04, Status = 0x06, RevisionId = 0x08,
        ProgIf = 0x09, SubClass = 0x0A, ClassCode = 0x0B, CacheLineSize = 0x0C, LatencyTimer = 0x0D,
        HeaderType = 0x0E, Bar0 = 0x10, SubsystemVendorId = 0x2C, SubsystemId = 0x2E, CapabilitiesPtr = 0x34,
        InterruptLine = 0x3C, InterruptPin = 0x3D;

    public const ushort CommandIo = 1 << 0, CommandMemory = 1 << 1, CommandBusMaster = 1 << 2, CommandIntxDisable = 1 << 10;
    public const ushort StatusCapList = 1 << 4, StatusIntx = 1 << 3;

    public PciFunction(string name, ushort vendor, ushort device, byte classCode, byte subClass, byte progIf = 0, byte revision = 0)
    {
        Name = name;
        Set16(VendorId, vendor);
        Set16(DeviceId, device);
        Config[ClassCode] = classCode;
        Config[SubClass] = subClass;
        Config[ProgIf] = progIf;
        Config[RevisionId] = revision;
        // The guest may set I/O, memory, bus-master and INTx-disable; latency timer, cache line and IRQ line are scratch.
        Set16Mask(Command, CommandIo | CommandMemory | CommandBusMaster | CommandIntxDisable);
        WriteMask[CacheLineSize] = 0xFF;
        WriteMask[LatencyTimer] = 0xFF;
        WriteMask[InterruptLine] = 0xFF;
    }

    public ushort CommandRegister => Get16(Command);

    private readonly List<PciBar> _bars = new();
    private MmioBus? _mmio;
    private int _nextCap = 0x40;
    private int _lastCap;

    /// <summary>The slot (device number) on bus 0, once PciRoot placed us.</summary>
    public int Slot { get; private set; } = -1;

    public IReadOnlyList<PciBar> Bars => _bars;

    /// <summary>Called when a BAR starts or stops decoding, or moves: (bar, old address, new address; 0 = none).</summary>
    public Action<PciBar, ulong, ulong>? BarMoved { get; set; }

    internal void Attach(int slot, MmioBus mmio)
    {
        Slot = slot;
        _mmio = mmio;
        if (Config[InterruptPin] != 0) Config[InterruptLine] = (byte)PciIntx.GsiFor(slot); // as firmware would
        OnAttached(slot);
        UpdateMappings();
    }

    /// <summary>Called once the function has a slot (and its Interrupt Line says where INTx goes).</summary>
    protected virtual void OnAttached(int slot) { }

    /*
     * A memory BAR, PCI 3.0 section 6.2.5.1. The low four bits say "memory,
     * 32 or 64-bit, not prefetchable" and never change; the address bits
     * below the size are read-only zeros. So when the guest sizes a BAR by
     * writing all-ones, the write mask alone makes it read back ~(size-1).
     * We place it ourselves, as firmware would, and turn on memory decoding.
     */
    protected PciBar AddMemoryBar(int index, ulong size, bool is64, IMmioDevice device, ulong address)
    {
        if (size < 16 || (size & (size - 1)) != 0) throw new ArgumentException("BAR size must be a power of 2, at least 16");
        if (address % size != 0) throw new ArgumentException("BAR address must be aligned to its size");
        var bar = new PciBar(index, size, is64, device);
        _bars.Add(bar);
        int reg = Bar0 + 4 * index;
        uint flags = is64 ? 0x4u : 0x0u;
        Set32(reg, (uint)address | flags);
        Set32Mask(reg, (uint)~(size - 1) & 0xFFFF_FFF0);
        if (is64)
        {
            Set32(reg + 4, (uint)(address >> 32));
            Set32Mask(reg + 4, (uint)(~(size - 1) >> 32));
        }
        Set16(Command, (ushort)(Get16(Command) | CommandMemory));
        return bar;
    }

    private ulong BarAddress(PciBar bar)
    {
        int reg = Bar0 + 4 * bar.Index;
        ulong a = Get32(reg) & 0xFFFF_FFF0u;
        if (bar.Is64) a |= (ulong)Get32(reg + 4) << 32;
        return a;
    }

    /*
     * Decoding follows the command register and the BAR values. A guest can
     * put a BAR anywhere, including on top of another device's: the first
     * one there keeps the range and the other simply does not decode until
     * moved, which is what overlapping BARs get on real hardware (undefined
     * behaviour), minus the undefined part.
     */
    private void UpdateMappings()
    {
        if (_mmio is null) return;
        bool decode = (Get16(Command) & CommandMemory) != 0;
        foreach (var bar in _bars)
        {
            ulong want = decode ? BarAddress(bar) : 0;
            if (want != 0 && (want + bar.Size < want || want + bar.Size > 1UL << 52)) want = 0;
            if (want == bar.MappedAt) continue;
            ulong old = bar.MappedAt;
            if (old != 0) _mmio.Unregister(bar.Device, old);
            bar.MappedAt = 0;
            if (want != 0)
            {
                if (_mmio.TryRegister(want, bar.Size, $"{Name} BAR{bar.Index}", bar.Device)) bar.MappedAt = want;
                else if (Log.IsVerbose) Log.Verbose($"{Name}: BAR{bar.Index} at 0x{want:x} overlaps another device; not decoding it");
            }
            BarMoved?.Invoke(bar, old, bar.MappedAt);
        }
    }

    /// <summary>
    /// Appends a capability (PCI 3.0 section 6.7) to the list: id, next pointer, then
    /// <paramref name="body"/>. Returns its offset. Bytes of the body are read-only unless
    /// <paramref name="bodyMask"/> says otherwise.
    /// </summary>
    protected int AddCapability(byte id, ReadOnlySpan<byte> body, ReadOnlySpan<byte> bodyMask = default)
    {
        int off = _nextCap;
        int len = (2 + body.Length + 3) & ~3;
        if (off + len > ConfigSize) throw new InvalidOperationException($"{Name}: capability list is full");
        Config[off] = id;
        Config[off + 1] = 0;
        body.CopyTo(Config.AsSpan(off + 2));
        if (!bodyMask.IsEmpty) bodyMask.CopyTo(WriteMask.AsSpan(off + 2));
        if (_lastCap == 0)
        {
            Config[CapabilitiesPtr] = (byte)off;
            Set16(Status, (ushort)(Get16(Status) | StatusCapList));
        }
        else Config[_lastCap + 1] = (byte)off;
        _lastCap = off;
        _nextCap = off + len;
        return off;
    }

    /// <summary>Reads 1, 2 or 4 bytes at offset (the caller has checked size and alignment).</summary>
    public virtual uint Read(int offset, int size)
    {
        OnRead(offset, size);
        return size switch
        {
            1 => Config[offset],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(Config.AsSpan(offset)),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(Config.AsSpan(offset)),
        };
    }

    public virtual void Write(int offset, int size, uint value)
    {
        for (int i = 0; i < size; i++)
        {
            byte m = WriteMask[offset + i], v = (byte)(value >> (8 * i));
            Config[offset + i] = (byte)((Config[offset + i] & ~m) | (v & m));
        }
        if (offset < Bar0 + 24 && offset + size > Command) UpdateMappings();
        OnWrite(offset, size);
    }

    /// <summary>Called before a read: lets a device refresh a register (e.g. a window into BAR space).</summary>
    protected virtual void OnRead(int offset, int size) { }

    /// <summary>Called after the masked bytes are written.</summary>
    protected virtual void OnWrite(int offset, int size) { }

    protected ushort Get16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(Config.AsSpan(o));
    protected uint Get32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(Config.AsSpan(o));
    protected void Set16(int o, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(Config.AsSpan(o), v);
    protected void Set32(int o, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Config.AsSpan(o), v);
    protected void Set16Mask(int o, ushort m) => BinaryPrimitives.WriteUInt16LittleEndian(WriteMask.AsSpan(o), m);
    protected void Set32Mask(int o, uint m) => BinaryPrimitives.WriteUInt32LittleEndian(WriteMask.AsSpan(o), m);
}
