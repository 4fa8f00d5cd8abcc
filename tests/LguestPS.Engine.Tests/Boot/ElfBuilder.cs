using System.Buffers.Binary;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>Builds a small ELF64 executable, x86-64 by default, with the segments a test asks for.</summary>
internal sealed class ElfBuilder
{
    public sealed class Seg
    {
        public uint Type = 1; // PT_LOAD
        public ulong Paddr = 0x100_0000;
        public ulong Vaddr = 0xFFFF_FFFF_8100_0000;
        public byte[] Data = [];
        public ulong MemSize;
        public ulong? Offset;    // overrides where the bytes are said to be
        public ulong? FileSize;  // overrides p_filesz
    }

    public byte Class = 2, DataEncoding = 1;
    public ushort Type = 2, Machine = 62, PhEntSize = 56;
    public ulong Entry = 0x100_0000;
    public ulong? PhOff;
    public ushort? PhNum;
    public List<Seg> Segments = [];

    public static byte[] Pattern(int n, int seed) => Enumerable.Range(0, n).Select(i => (byte)(i * 13 + seed)).ToArray();

    /// <summary>A good vmlinux look-alike: text at 16 MiB, data plus .bss after it.</summary>
    public static ElfBuilder Kernel()
    {
        var e = new ElfBuilder();
        e.Segments.Add(new Seg { Paddr = 0x100_0000, Vaddr = 0xFFFF_FFFF_8100_0000, Data = Pattern(0x2000, 1), MemSize = 0x2000 });
        e.Segments.Add(new Seg { Paddr = 0x120_0000, Vaddr = 0xFFFF_FFFF_8120_0000, Data = Pattern(0x1000, 2), MemSize = 0x5000 });
        e.Segments.Add(new Seg { Type = 4, Paddr = 0, Vaddr = 0, Data = Pattern(0x20, 3), MemSize = 0x20 }); // PT_NOTE: not loaded
        return e;
    }

    public byte[] Build()
    {
        int phoff = 64, dataAt = phoff + 56 * Segments.Count;
        var offsets = new List<int>();
        foreach (var s in Segments) { offsets.Add(dataAt); dataAt += (s.Data.Length + 15) & ~15; }
        var b = new byte[dataAt];
        var span = b.AsSpan();
        b[0] = 0x7F; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = Class; b[5] = DataEncoding; b[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(span[16..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[18..], Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], Entry);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], PhOff ?? (ulong)phoff);
        BinaryPrimitives.WriteUInt16LittleEndian(span[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], PhEntSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], PhNum ?? (ushort)Segments.Count);
        for (int i = 0; i < Segments.Count; i++)
        {
            var s = Segments[i];
            var p = span[(phoff + 56 * i)..];
            BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], 7);
            BinaryPrimitives.WriteUInt64LittleEndian(p[8..], s.Offset ?? (ulong)offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(p[16..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[24..], s.Paddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[32..], s.FileSize ?? (ulong)s.Data.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(p[40..], s.MemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[48..], 0x20_0000);
            s.Data.CopyTo(span[offsets[i]..]);
        }
        return b;
    }
}
