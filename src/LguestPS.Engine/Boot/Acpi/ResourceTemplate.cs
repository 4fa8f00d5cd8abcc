using System.Buffers.Binary;

namespace LguestPS.Engine.Boot.Acpi;

/*
 * ResourceTemplate() { ... } of ASL: a buffer of resource descriptors (ACPI
 * 6.5, section 6.4) ending in an End Tag, which is what _CRS returns to say
 * which ports, memory and interrupts a device decodes (or, for a bridge,
 * passes on to the bus below it). Small descriptors carry their type and
 * length in one tag byte; large ones a tag byte and a 16-bit length.
 */
public sealed class ResourceTemplate
{
    private readonly List<byte> _b = new();

    // Address space descriptor fields (6.4.3.5): resource type, general flags (bit 3 max fixed, bit 2 min fixed,
    // bit 0 clear: the bridge produces the window for its children), and a type-specific byte.
    private const byte MemoryRange = 0, IoRange = 1, BusNumberRange = 2;
    private const byte ProducerMinMaxFixed = 0b1100;
    private const byte MemoryReadWriteNonCacheable = 0x01, IoEntireRange = 0x03;

    /// <summary>IO(Decode16, port, port, alignment 1, length): a fixed range of ports (6.4.2.5).</summary>
    public ResourceTemplate Io(ushort port, byte length)
    {
        _b.AddRange([0x47, 0x01, (byte)port, (byte)(port >> 8), (byte)port, (byte)(port >> 8), 1, length]);
        return this;
    }

    /// <summary>IRQNoFlags() { irq }: an ISA interrupt, edge-triggered and active high (6.4.2.1).</summary>
    public ResourceTemplate IrqNoFlags(int irq)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(irq, 15);
        ushort mask = (ushort)(1 << irq);
        _b.AddRange([0x22, (byte)mask, (byte)(mask >> 8)]);
        return this;
    }

    /// <summary>
    /// Interrupt(ResourceConsumer, Level|Edge, ActiveHigh, Exclusive) { gsi }: the extended
    /// interrupt descriptor (6.4.3.6), the one that can name any GSI and a level trigger.
    /// </summary>
    public ResourceTemplate Interrupt(uint gsi, bool level)
    {
        byte flags = (byte)(1 | (level ? 0 : 1 << 1)); // bit 0 consumer; bit 1 edge; bit 2 low (clear); bit 3 shared (clear)
        Large(0x89, [flags, 1, .. U32(gsi)]);
        return this;
    }

    /// <summary>WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, count).</summary>
    public ResourceTemplate WordBusNumber(ushort min, ushort max) => Word(BusNumberRange, 0, min, max);

    /// <summary>WordIO(ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, length).</summary>
    public ResourceTemplate WordIo(ushort min, ushort max) => Word(IoRange, IoEntireRange, min, max);

    /// <summary>DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0, min, max, 0, length).</summary>
    public ResourceTemplate DWordMemory(uint min, uint max)
    {
        Large(0x87, [MemoryRange, ProducerMinMaxFixed, MemoryReadWriteNonCacheable, .. U32(0), .. U32(min), .. U32(max), .. U32(0), .. U32(max - min + 1)]);
        return this;
    }

    private ResourceTemplate Word(byte type, byte typeFlags, ushort min, ushort max)
    {
        Large(0x88, [type, ProducerMinMaxFixed, typeFlags, .. U16(0), .. U16(min), .. U16(max), .. U16(0), .. U16((ushort)(max - min + 1))]);
        return this;
    }

    private void Large(byte tag, byte[] body)
    {
        _b.Add(tag);
        _b.AddRange(U16((ushort)body.Length));
        _b.AddRange(body);
    }

    private static byte[] U16(ushort v) => [(byte)v, (byte)(v >> 8)];

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    /// <summary>The descriptors and an End Tag (6.4.2.9; checksum 0 means "valid, not summed"), as an AML Buffer.</summary>
    public byte[] ToAml() => Aml.Buffer([.. _b, 0x79, 0x00]);
}
