using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:110
 * A vmlinux is the kernel as the linker left it: an ELF executable whose
 * program headers say which bytes of the file go where. We place each
 * PT_LOAD segment at its *physical* address (p_paddr), as the seed did; the
 * kernel maps itself to its virtual addresses once it runs.
 *
 * Where the seed took ELF32 for i386, we take ELF64 for x86-64 only
 * (EM_X86_64, ET_EXEC, little-endian) and refuse anything else by name: an
 * aarch64 kernel handed to an x86 VMM deserves a better answer than a triple
 * fault. Every offset and size is checked against the file and against the
 * RAM below the PCI hole, with sums that cannot wrap, before one byte moves.
 */
public sealed class ElfImage : KernelImage
{
    private const int EhdrSize = 64, PhdrSize = 56;
    private const ushort EtExec = 2, EmX86_64 = 62;
    private const uint PtLoad = 1;
    /// <summary>A vmlinux has a handful of program headers; this many is a broken or hostile file.</summary>
    private const int MaxPhdrs = 256;
    /// <summary>COMMAND_LINE_SIZE on x86 is 2048 including the NUL. A vmlinux has no header to tell us otherwise.</summary>
    private const int ElfCmdLineMax = 2047;

    public IReadOnlyList<ElfSegment> Segments { get; }
    public override KernelFormat Format => KernelFormat.Elf;
    /// <summary>A 64-bit kernel takes its initrd anywhere in RAM it maps directly: below 4 GiB is all we promise.</summary>
    public override ulong InitrdAddrMax => Layout.FourGiB - 1;
    public override int CmdLineMax => ElfCmdLineMax;

    private ElfImage(ImageFile file, List<ElfSegment> segments, ulong entry, bool linux) : base(file)
    {
        Segments = segments;
        Entry = entry;
        LoadAddress = segments.Min(s => s.Paddr);
        End = segments.Max(s => s.End);
        IsLinux = linux;
    }

    /*
     * A vmlinux says it is Linux in its ELF notes (PT_NOTE): entries owned by
     * "Linux" (the build salt, the paravirt notes). We read a bounded amount
     * of each note segment and walk the entries with every length checked.
     */
    private static bool HasLinuxNote(ImageFile file, byte[] phdrs, int phnum)
    {
        const uint PtNote = 4;
        for (int i = 0; i < phnum; i++)
        {
            var p = phdrs.AsSpan(i * PhdrSize, PhdrSize);
            ulong off = U64(p, 8), size = U64(p, 32);
            if (U32(p, 0) != PtNote || size == 0 || Sizes.AddSat(off, size) > (ulong)file.Size) continue;
            var notes = new byte[(int)Math.Min(size, 4096)];
            file.Read((long)off, notes);
            for (int at = 0; at + 12 <= notes.Length;)
            {
                uint nameSize = U32(notes, at), descSize = U32(notes, at + 4);
                if (nameSize > 64 || descSize > 4096) break;
                int name = at + 12, next = name + (int)((nameSize + 3) & ~3u) + (int)((descSize + 3) & ~3u);
                if (name + nameSize > notes.Length) break;
                if (notes.AsSpan(name, (int)nameSize).TrimEnd((byte)0).SequenceEqual("Linux"u8)) return true;
                at = next;
            }
        }
        return false;
    }

    internal static bool IsElf(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x7F && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';

    internal static ElfImage Parse(ImageFile file, ReadOnlySpan<byte> head)
    {
        string k = $"kernel '{file.Path}'";
        if (head.Length > 4 && head[4] == 1)
            throw Invalid($"{k} is a 32-bit ELF (ELFCLASS32); lguest boots 64-bit x86-64 kernels only");
        if (head.Length > 4 && head[4] != 2)
            throw Invalid($"{k} is an ELF file of unknown class {head[4]}; the image is corrupt");
        if (head.Length < EhdrSize)
            throw Invalid($"{k} is truncated inside its ELF header ({file.Size} bytes)");
        if (head[5] != 1)
            throw Invalid($"{k} is a big-endian ELF; lguest boots little-endian x86-64 kernels only");

        ushort type = U16(head, 16), machine = U16(head, 18);
        if (machine != EmX86_64)
            throw Invalid($"{k} is an ELF for {MachineName(machine)} (e_machine {machine}), not x86-64");
        if (type != EtExec)
            throw Invalid($"{k} is an ELF {TypeName(type)}, not an executable (ET_EXEC) like a vmlinux");
        ulong entry = U64(head, 24), phoff = U64(head, 32);
        ushort phentsize = U16(head, 54), phnum = U16(head, 56);
        if (phentsize != PhdrSize)
            throw Invalid($"{k} has program headers of {phentsize} bytes, not {PhdrSize}; the image is corrupt");
        if (phnum == 0 || phnum > MaxPhdrs)
            throw Invalid($"{k} has {phnum} program headers; a kernel has between 1 and a handful");
        ulong phEnd = Sizes.AddSat(phoff, (ulong)phnum * PhdrSize);
        if (phEnd > (ulong)file.Size)
            throw Invalid($"{k} has its program header table at [0x{phoff:x}, 0x{phEnd:x}), outside the {file.Size}-byte file; the image is truncated or corrupt");

        var phdrs = new byte[phnum * PhdrSize];
        file.Read((long)phoff, phdrs);
        var segments = new List<ElfSegment>();
        for (int i = 0; i < phnum; i++)
        {
            var p = phdrs.AsSpan(i * PhdrSize, PhdrSize);
            if (U32(p, 0) != PtLoad) continue;
            var s = new ElfSegment(U64(p, 8), U64(p, 24), U64(p, 32), U64(p, 40));
            CheckSegment(k, i, s, (ulong)file.Size);
            if (s.MemSize != 0) segments.Add(s);
        }
        if (segments.Count == 0)
            throw Invalid($"{k} has no loadable (PT_LOAD) segment; it is not a kernel");
        return new ElfImage(file, segments, ResolveEntry(k, entry, phdrs, phnum, segments), HasLinuxNote(file, phdrs, phnum));
    }

    private static void CheckSegment(string k, int i, ElfSegment s, ulong fileSize)
    {
        if (s.FileSize > s.MemSize)
            throw Invalid($"{k}: segment {i} has p_filesz 0x{s.FileSize:x} larger than p_memsz 0x{s.MemSize:x}; the image is corrupt");
        if (s.MemSize == 0) return; // occupies nothing, loads nothing
        if (Sizes.AddSat(s.FileOffset, s.FileSize) > fileSize)
            throw Invalid($"{k}: segment {i} takes bytes [0x{s.FileOffset:x}, +0x{s.FileSize:x}) from a {fileSize}-byte file; the image is truncated or corrupt");
        if (Sizes.AddSat(s.Paddr, s.MemSize) == ulong.MaxValue)
            throw Invalid($"{k}: segment {i} at 0x{s.Paddr:x} with p_memsz 0x{s.MemSize:x} wraps around the address space; the image is corrupt");
        if (s.Paddr < Layout.HighMemory)
            throw Invalid($"{k}: segment {i} loads at 0x{s.Paddr:x}, below 1 MiB where lguest keeps the zero page, page tables and MP table");
        if (s.End > Layout.MmioHoleStart)
            throw Invalid($"{k}: segment {i} reaches 0x{s.End:x}, beyond the {Layout.MmioHoleStart >> 20} MiB of RAM below the PCI hole");
    }

    /*
     * A vmlinux's e_entry is the physical address of startup_64 (its linker
     * script says ENTRY(phys_startup_64)). A hand-made ELF may give the
     * virtual one instead; we translate it through the segment that holds it.
     * An entry outside every segment would run whatever happens to be there.
     */
    private static ulong ResolveEntry(string k, ulong entry, byte[] phdrs, int phnum, List<ElfSegment> segments)
    {
        foreach (var s in segments)
            if (entry >= s.Paddr && entry < s.End) return entry;
        for (int i = 0; i < phnum; i++)
        {
            var p = phdrs.AsSpan(i * PhdrSize, PhdrSize);
            ulong vaddr = U64(p, 16), paddr = U64(p, 24), memsz = U64(p, 40);
            if (U32(p, 0) == PtLoad && memsz != 0 && entry >= vaddr && entry - vaddr < memsz)
                return paddr + (entry - vaddr); // inside a checked segment, so no wrap
        }
        throw Invalid($"{k} has its entry point 0x{entry:x} outside every loadable segment; the image is corrupt");
    }

    private protected override string Needs => $"its highest segment ends at 0x{End:x}";

    internal override void LoadInto(GuestMemory mem)
    {
        foreach (var s in Segments)
        {
            File.ReadInto(mem, (long)s.FileOffset, s.Paddr, s.FileSize);
            mem.Clear(s.Paddr + s.FileSize, s.MemSize - s.FileSize); // .bss, and whatever a reboot left behind
        }
    }

    /*
     * A vmlinux carries no setup header, but the 64-bit kernel still reads
     * boot_params.hdr: the command line and ramdisk pointers (which
     * BootLoader fills), the loader type, the version. We write the minimum a
     * bzImage would have handed over, and claim protocol 2.12 as Linux's own
     * PVH entry does when it builds a zero page for itself.
     */
    internal override void WriteSetupHeader(Span<byte> zp)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(zp[ZeroPage.BootFlag..], ZeroPage.BootFlagMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(zp[ZeroPage.Header..], ZeroPage.HdrSMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(zp[ZeroPage.Version..], SetupHeader.MinVersion);
        zp[ZeroPage.TypeOfLoader] = ZeroPage.LoaderUndefined;
        zp[ZeroPage.LoadFlags] = ZeroPage.LoadedHigh;
        BinaryPrimitives.WriteUInt32LittleEndian(zp[ZeroPage.KernelAlignment..], 0x20_0000); // 2 MiB, x86-64's smallest PHYSICAL_ALIGN
        BinaryPrimitives.WriteUInt32LittleEndian(zp[ZeroPage.CmdlineSize..], ElfCmdLineMax);
    }

    private static string MachineName(ushort m) => m switch
    {
        3 => "i386", 8 => "MIPS", 20 => "PowerPC", 21 => "PowerPC64", 22 => "s390", 40 => "ARM",
        183 => "AArch64", 243 => "RISC-V", 258 => "LoongArch", _ => "another machine",
    };

    private static string TypeName(ushort t) => t switch
    {
        1 => "relocatable object (ET_REL)", 3 => "shared object or PIE (ET_DYN)", 4 => "core dump (ET_CORE)", _ => $"of type {t}",
    };

    private static EngineException Invalid(string message) => new(ErrorId.KernelInvalid, message);
    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
