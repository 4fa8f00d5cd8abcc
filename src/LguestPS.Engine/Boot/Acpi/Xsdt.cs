using System.Buffers.Binary;

namespace LguestPS.Engine.Boot.Acpi;

/// <summary>The Extended System Description Table (ACPI 6.5, 5.2.8): the 64-bit addresses of every other table but the DSDT (the FADT points at that one).</summary>
public static class Xsdt
{
    public static byte[] Build(params ulong[] tables)
    {
        var body = new byte[8 * tables.Length];
        for (int i = 0; i < tables.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(8 * i), tables[i]);
        return SdtHeader.Table("XSDT", 1, body);
    }
}
