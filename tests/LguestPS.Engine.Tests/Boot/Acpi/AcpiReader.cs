using System.Buffers.Binary;
using System.Text;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Tests.Boot.Acpi;

/// <summary>
/// Finds and reads the ACPI tables in guest memory the way an OS does: the RSDP by
/// scanning 0xE0000-0xFFFFF on 16-byte boundaries, then the XSDT's pointers, each
/// table's length from its own header. Written from the spec, independently of the builders.
/// </summary>
internal sealed class AcpiReader
{
    public ulong RsdpGpa { get; private init; }
    public byte[] Rsdp { get; private init; } = [];
    public Dictionary<string, (ulong Gpa, byte[] Bytes)> Tables { get; } = new();

    public static AcpiReader Read(GuestMemory mem)
    {
        ulong rsdp = 0;
        for (ulong a = 0xE0000; a < 0x100000; a += 16)
            if (mem.Slice(a, 8).SequenceEqual("RSD PTR "u8)) { rsdp = a; break; }
        Assert.True(rsdp != 0, "no RSDP in 0xE0000-0xFFFFF");
        var r = new AcpiReader { RsdpGpa = rsdp, Rsdp = mem.Slice(rsdp, 36).ToArray() };
        ulong xsdt = BinaryPrimitives.ReadUInt64LittleEndian(r.Rsdp.AsSpan(24));
        var x = r.Add(mem, xsdt);
        Assert.Equal("XSDT", x.Sig);
        for (int i = 36; i + 8 <= x.Bytes.Length; i += 8)
            r.Add(mem, BinaryPrimitives.ReadUInt64LittleEndian(x.Bytes.AsSpan(i)));
        if (r.Tables.TryGetValue("FACP", out var fadt))
            r.Add(mem, BinaryPrimitives.ReadUInt64LittleEndian(fadt.Bytes.AsSpan(140)));
        return r;
    }

    private (string Sig, byte[] Bytes) Add(GuestMemory mem, ulong gpa)
    {
        string sig = Encoding.ASCII.GetString(mem.Slice(gpa, 4));
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(mem.Slice(gpa + 4, 4));
        Assert.InRange(len, 36u, 0x10000u);
        var bytes = mem.Slice(gpa, (int)len).ToArray();
        Tables[sig] = (gpa, bytes);
        return (sig, bytes);
    }

    public byte[] this[string sig] => Tables[sig].Bytes;

    public static int Sum(ReadOnlySpan<byte> b)
    {
        int s = 0;
        foreach (var x in b) s = (s + x) & 0xFF;
        return s;
    }

    public static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    public static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));
    public static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    /// <summary>A Generic Address Structure at offset: (space, bit width, bit offset, access size, address).</summary>
    public static (byte Space, byte Width, byte Offset, byte Access, ulong Address) Gas(byte[] b, int at) =>
        (b[at], b[at + 1], b[at + 2], b[at + 3], U64(b, at + 4));

    /// <summary>The MADT's interrupt controller structures: (type, bytes).</summary>
    public static List<byte[]> MadtEntries(byte[] madt)
    {
        var list = new List<byte[]>();
        for (int i = 44; i < madt.Length;)
        {
            int len = madt[i + 1];
            Assert.True(len >= 2 && i + len <= madt.Length, $"MADT entry at {i} has length {len}");
            list.Add(madt.AsSpan(i, len).ToArray());
            i += len;
        }
        return list;
    }
}
