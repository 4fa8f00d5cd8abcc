using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:100
 * Where a bzImage goes. boot.rst gives the rules, and the 64-bit
 * decompressor (arch/x86/boot/compressed/head_64.S) adds one of its own:
 *
 *  - A relocatable kernel can run at any address aligned to kernel_alignment;
 *    it prefers pref_address, and we give it that (rounded up to the
 *    alignment, and never below 1 MiB where our own tables live).
 *  - A non-relocatable kernel is loaded at 1 MiB, as bzImages always were,
 *    and "will unconditionally move itself" to pref_address.
 *  - Either way the kernel then needs init_size bytes of contiguous RAM from
 *    where it runs. And since the 64-bit decompressor never decompresses below
 *    LOAD_PHYSICAL_ADDR, which the header publishes as pref_address, a
 *    relocatable kernel loaded lower would still want pref_address + init_size.
 *    So End, the line the initrd must stay above, is the larger of where the
 *    code ends and where that scratch space ends.
 *
 * A Debian 6.1 kernel: pref_address 16 MiB, init_size ~51 MiB, so it wants
 * 68 MiB before it has even read the memory map.
 */
public sealed class BzImage : KernelImage
{
    /// <summary>The 64-bit entry point sits 0x200 bytes into the protected-mode code (boot.rst, "64-bit Boot Protocol").</summary>
    public const ulong Entry64Offset = 0x200;

    private readonly byte[] _hdr; // file bytes [0x1F1, Header.End): copied verbatim into boot_params.hdr
    private readonly ulong _runsAt;

    public SetupHeader Header { get; }
    public override KernelFormat Format => KernelFormat.BzImage;
    public override ulong InitrdAddrMax => Header.InitrdAddrMax;
    public override int CmdLineMax => (int)Math.Min(Header.CmdlineSize, (uint)Layout.CmdLineMax - 1);

    private BzImage(ImageFile file, SetupHeader h, byte[] hdr) : base(file)
    {
        Header = h;
        _hdr = hdr;
        if (h.Relocatable)
        {
            LoadAddress = Sizes.AlignUp(Math.Max(h.PrefAddress, Layout.HighMemory), h.KernelAlignment);
            _runsAt = Math.Max(LoadAddress, h.PrefAddress);
        }
        else
        {
            LoadAddress = Layout.HighMemory;
            _runsAt = h.PrefAddress != 0 ? h.PrefAddress : LoadAddress;
        }
        Entry = LoadAddress + Entry64Offset;
        End = Math.Max(Sizes.AddSat(LoadAddress, h.CodeSize), Sizes.AddSat(_runsAt, h.InitSize));
        VersionBanner = ReadBanner(file, hdr);
        // Linux's banner is "<version> (<builder>) #<n> ...": it starts with a dotted number.
        IsLinux = VersionBanner.Length > 2 && char.IsAsciiDigit(VersionBanner[0]) && VersionBanner.Contains('.');
    }

    /*
     * boot.rst, kernel_version (0x20E): if nonzero, a pointer to a NUL-terminated
     * version string, less 0x200, inside the setup code. We read at most 128
     * bytes of it, and only inside the setup sectors.
     */
    private static string ReadBanner(ImageFile file, byte[] hdr)
    {
        const int KernelVersionAt = 0x20E - ZeroPage.Hdr;
        if (hdr.Length < KernelVersionAt + 2) return "";
        int ptr = BinaryPrimitives.ReadUInt16LittleEndian(hdr.AsSpan(KernelVersionAt));
        long at = ptr + 0x200;
        if (ptr == 0 || at + 1 > file.Size) return "";
        var buf = new byte[(int)Math.Min(128, file.Size - at)];
        file.Read(at, buf);
        int end = Array.IndexOf(buf, (byte)0);
        var text = buf.AsSpan(0, end < 0 ? buf.Length : end);
        foreach (byte b in text) if (b is < 0x20 or > 0x7E) return "";
        return System.Text.Encoding.ASCII.GetString(text);
    }

    internal static BzImage Parse(ImageFile file, ReadOnlySpan<byte> head)
    {
        var h = SetupHeader.Parse(head, file.Size, file.Path);
        var image = new BzImage(file, h, head[ZeroPage.Hdr..h.End].ToArray());
        string k = $"kernel '{file.Path}'";
        if (!h.Relocatable && h.PrefAddress != 0 && h.PrefAddress < Layout.HighMemory)
            throw new EngineException(ErrorId.KernelInvalid,
                $"{k} is not relocatable and wants to run at 0x{h.PrefAddress:x}, below 1 MiB where the boot tables live; the image is corrupt");
        // No amount of RAM helps a kernel that wants to reach into the PCI hole: that is a broken header, not a small VM.
        if (image.End > Layout.MmioHoleStart)
            throw new EngineException(ErrorId.KernelInvalid,
                $"{k} asks for memory up to 0x{image.End:x} before it reads the memory map ({image.Needs}), " +
                $"beyond the {Layout.MmioHoleStart >> 20} MiB of RAM below the PCI hole; the image is corrupt");
        return image;
    }

    private protected override string Needs =>
        Sizes.AddSat(_runsAt, Header.InitSize) >= Sizes.AddSat(LoadAddress, Header.CodeSize)
            ? $"it runs at 0x{_runsAt:x} and needs init_size {Header.InitSize / (double)Sizes.MiB:F1} MiB there"
            : $"its {Header.CodeSize} bytes of code load at 0x{LoadAddress:x}";

    internal override void LoadInto(GuestMemory mem) =>
        File.ReadInto(mem, Header.CodeOffset, LoadAddress, Header.CodeSize);

    /*
     * boot.rst: "the setup header at offset 0x01f1 of kernel image on should
     * be loaded into struct boot_params and examined". Then we fill in the
     * "write" and "modify" fields that concern us. CAN_USE_HEAP stays clear
     * and heap_end_ptr zero: they describe the real-mode setup code's heap,
     * and we jump past the real-mode code altogether. code32_start is written
     * because the protocol asks a loader that moves a relocatable kernel to.
     */
    internal override void WriteSetupHeader(Span<byte> zp)
    {
        _hdr.CopyTo(zp[ZeroPage.Hdr..]);
        zp[ZeroPage.TypeOfLoader] = ZeroPage.LoaderUndefined;
        zp[ZeroPage.LoadFlags] = (byte)(Header.LoadFlags & ~ZeroPage.CanUseHeap);
        BinaryPrimitives.WriteUInt16LittleEndian(zp[ZeroPage.HeapEndPtr..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(zp[ZeroPage.Code32Start..], (uint)LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(zp[ZeroPage.HardwareSubarch..], 0); // X86_SUBARCH_PC: lguest's subarch 1 left Linux with lguest
    }
}
