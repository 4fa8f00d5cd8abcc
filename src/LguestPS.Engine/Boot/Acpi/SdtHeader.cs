using System.Buffers.Binary;

namespace LguestPS.Engine.Boot.Acpi;

/*
 * Every ACPI table but the RSDP starts with the same 36-byte header (ACPI
 * 6.5, 5.2.6): signature, length, revision, checksum, who made it. The
 * checksum covers the whole table, so it is filled in last, over the body.
 */
public static class SdtHeader
{
    public const int Size = 36;
    public const int LengthOffset = 4, RevisionOffset = 8, ChecksumOffset = 9;

    /// <summary>Ours, in every table's header and the RSDP: six bytes of OEM id, eight of table id, four of creator.</summary>
    public static ReadOnlySpan<byte> OemId => "LGUEST"u8;
    public static ReadOnlySpan<byte> OemTableId => "LGUESTPS"u8;
    public static ReadOnlySpan<byte> CreatorId => "LGPS"u8;

    /// <summary>A whole table: the header for this signature and revision, then body, checksummed.</summary>
    public static byte[] Table(string signature, byte revision, ReadOnlySpan<byte> body)
    {
        if (signature.Length != 4) throw new ArgumentException("a table signature has four characters", nameof(signature));
        var t = new byte[Size + body.Length];
        for (int i = 0; i < 4; i++) t[i] = (byte)signature[i];
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(LengthOffset), (uint)t.Length);
        t[RevisionOffset] = revision;
        OemId.CopyTo(t.AsSpan(10));
        OemTableId.CopyTo(t.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(24), 1); // OEM revision
        CreatorId.CopyTo(t.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(32), 1); // creator revision
        body.CopyTo(t.AsSpan(Size));
        t[ChecksumOffset] = ZeroSum.Of(t);
        return t;
    }
}
