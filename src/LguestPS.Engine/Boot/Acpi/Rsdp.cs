using System.Buffers.Binary;

namespace LguestPS.Engine.Boot.Acpi;

/*
 * The Root System Description Pointer (ACPI 6.5, 5.2.5.3): where an OS
 * starts. Revision 2 form, 36 bytes: "RSD PTR ", a checksum of the first
 * 20 bytes (the ACPI 1.0 part), then the XSDT's 64-bit address and a second
 * checksum over all 36. We give no 32-bit RSDT: an OS that reads revision
 * 2 uses the XSDT, and Linux does.
 */
public static class Rsdp
{
    public const int Size = 36;

    public static byte[] Build(ulong xsdtGpa)
    {
        var r = new byte[Size];
        "RSD PTR "u8.CopyTo(r);
        SdtHeader.OemId.CopyTo(r.AsSpan(9));
        r[15] = 2;                                                     // revision: ACPI 2.0 and later
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), Size);  // length
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), xsdtGpa);
        r[8] = ZeroSum.Of(r.AsSpan(0, 20));
        r[32] = ZeroSum.Of(r);
        return r;
    }
}
