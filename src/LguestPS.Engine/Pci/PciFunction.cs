using System.Buffers.Binary;

namespace LguestPS.Engine.Pci;

/*L:080
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

/// <summary>
/// The host bridge at 00:00.0. Linux's type-1 configuration probe wants to
/// find a host bridge (class 06/00) on bus 0 before it trusts the mechanism.
/// </summary>
public sealed class PciHostBridge : PciFunction
{
    public PciHostBridge() : base("host bridge", vendor: 0x1B36, device: 0x0008, classCode: 0x06, subClass: 0x00) { }
}
