using System.Buffers.Binary;
using System.Text;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>Walks the guest's 4-level page tables the way the MMU would, from CR3.</summary>
internal static class PageWalker
{
    /// <summary>The physical address va maps to, or null if a level is not present.</summary>
    public static ulong? Translate(GuestMemory mem, ulong cr3, ulong va)
    {
        const ulong present = 1, ps = 0x80, addrMask = 0x000F_FFFF_FFFF_F000;
        ulong pml4e = mem.Read<ulong>((cr3 & addrMask) + ((va >> 39) & 511) * 8);
        if ((pml4e & present) == 0) return null;
        ulong pdpte = mem.Read<ulong>((pml4e & addrMask) + ((va >> 30) & 511) * 8);
        if ((pdpte & present) == 0) return null;
        if ((pdpte & ps) != 0) return (pdpte & addrMask & ~0x3FFF_FFFFUL) | (va & 0x3FFF_FFFF);
        ulong pde = mem.Read<ulong>((pdpte & addrMask) + ((va >> 21) & 511) * 8);
        if ((pde & present) == 0) return null;
        if ((pde & ps) != 0) return (pde & addrMask & ~0x1F_FFFFUL) | (va & 0x1F_FFFF);
        ulong pte = mem.Read<ulong>((pde & addrMask) + ((va >> 12) & 511) * 8);
        if ((pte & present) == 0) return null;
        return (pte & addrMask) | (va & 0xFFF);
    }
}

/// <summary>Finds and parses the MP table the way Linux's mpparse does: scan, check, walk the entries.</summary>
internal sealed class MpTableReader
{
    public required ulong FloatingGpa { get; init; }
    public required byte[] Floating { get; init; }
    public required ulong ConfigGpa { get; init; }
    public required byte[] Config { get; init; }
    public required List<byte[]> Entries { get; init; }

    public string OemId => Encoding.ASCII.GetString(Config, 8, 8);
    public uint LocalApic => BinaryPrimitives.ReadUInt32LittleEndian(Config.AsSpan(36));

    public static MpTableReader Read(GuestMemory mem)
    {
        // Linux looks in the last KiB of base memory (among other places), on 16-byte boundaries.
        for (ulong a = 0x9FC00; a < 0xA0000; a += 16)
        {
            var f = mem.Slice(a, 16).ToArray();
            if (Encoding.ASCII.GetString(f, 0, 4) != "_MP_") continue;
            ulong cfg = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(4));
            int len = BinaryPrimitives.ReadUInt16LittleEndian(mem.Slice(cfg + 4, 2));
            var c = mem.Slice(cfg, len).ToArray();
            int count = BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(34));
            var entries = new List<byte[]>();
            int at = 44;
            for (int i = 0; i < count; i++)
            {
                int size = c[at] == 0 ? 20 : 8;
                entries.Add(c.AsSpan(at, size).ToArray());
                at += size;
            }
            Assert.Equal(len, at);
            return new MpTableReader { FloatingGpa = a, Floating = f, ConfigGpa = cfg, Config = c, Entries = entries };
        }
        throw new Xunit.Sdk.XunitException("no _MP_ floating pointer in [0x9FC00, 0xA0000)");
    }

    public static int Sum(byte[] bytes) => bytes.Aggregate(0, (s, b) => (s + b) & 0xFF);
}
