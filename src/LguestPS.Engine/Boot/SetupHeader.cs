using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Boot;

/*L:090
 * A bzImage, as the seed put it, is not meant to be loaded: it is meant to be
 * jumped into, and it unpacks itself. Our part is to read the setup header,
 * the little form every bzImage carries at 0x1F1 (boot.rst, "The Real-Mode
 * Kernel Header"), decide where the kernel goes, and fill in our half of it.
 *
 * Every field here comes from a file we did not write, so we read it the way
 * customs reads a passport: each number is checked against the file's real
 * size and against what the protocol allows before anything trusts it.
 *
 * Which protocol versions we take: we enter the kernel in 64-bit mode at
 * load address + 0x200, and only xloadflags (protocol 2.12, Linux 3.8) can
 * tell us that entry point exists (XLF_KERNEL_64). An older header might or
 * might not have it, and guessing wrong means jumping into 32-bit code in
 * long mode: so 2.12 is our minimum, not 2.06. Anything older is refused
 * with a message that says why; its vmlinux still boots as an ELF.
 */
public sealed record SetupHeader
{
    /// <summary>Protocol versions before this have no xloadflags, so no way to promise a 64-bit entry.</summary>
    public const ushort MinVersion = 0x020C;

    /// <summary>Sectors of real-mode setup code after the boot sector (setup_sects, with 0 read as 4).</summary>
    public int SetupSects { get; init; }
    /// <summary>syssize: 16-byte paragraphs of protected-mode code.</summary>
    public uint SysSize { get; init; }
    public ushort Version { get; init; }
    public byte LoadFlags { get; init; }
    public ushort XLoadFlags { get; init; }
    /// <summary>Highest byte address an initrd may occupy.</summary>
    public uint InitrdAddrMax { get; init; }
    public uint KernelAlignment { get; init; }
    public bool Relocatable { get; init; }
    /// <summary>Longest command line, not counting its NUL.</summary>
    public uint CmdlineSize { get; init; }
    public ulong PrefAddress { get; init; }
    /// <summary>Bytes from the runtime start the kernel needs before it reads the memory map.</summary>
    public uint InitSize { get; init; }
    /// <summary>Offset one past the header in the file (0x202 + the jump's offset byte, at most 0x290).</summary>
    public int End { get; init; }

    /// <summary>File offset of the protected-mode code: the boot sector plus setup_sects sectors.</summary>
    public long CodeOffset => (SetupSects + 1) * 512L;
    /// <summary>Bytes of protected-mode code that go into guest RAM.</summary>
    public ulong CodeSize => SysSize * 16UL;

    public string VersionText => $"{Version >> 8}.{Version & 0xFF:D2}";

    /// <summary>Reads and checks the header from the first bytes of a file of fileSize bytes.</summary>
    public static SetupHeader Parse(ReadOnlySpan<byte> head, long fileSize, string path)
    {
        string k = $"kernel '{path}'";
        if (head.Length < ZeroPage.Version + 2)
            throw Invalid($"{k} is too small to be a kernel ({fileSize} bytes)");
        if (U32(head, ZeroPage.Header) != ZeroPage.HdrSMagic)
            throw Invalid($"{k} is neither an ELF vmlinux nor a bzImage (no \"HdrS\" signature at 0x202)");
        if (U16(head, ZeroPage.BootFlag) != ZeroPage.BootFlagMagic)
            throw Invalid($"{k} has \"HdrS\" but no boot sector signature 0xAA55 at 0x1FE; the image is corrupt");

        ushort version = U16(head, ZeroPage.Version);
        if (version < MinVersion)
            throw Invalid($"{k} speaks boot protocol {version >> 8}.{version & 0xFF:D2}, older than 2.12 (Linux 3.8) whose xloadflags " +
                          "say whether a 64-bit entry point exists; use a newer kernel, or boot this one's vmlinux");

        // The jump at 0x200 is "EB xx": the header ends at 0x202 + xx (boot.rst, 64-bit boot protocol).
        int end = ZeroPage.Jump + 2 + (head[ZeroPage.Jump] == 0xEB ? head[ZeroPage.Jump + 1] : -1);
        if (end < ZeroPage.InitSize + 4 || head[ZeroPage.Jump + 1] >= 0x80)
            throw Invalid($"{k} has a setup header too short for protocol {version >> 8}.{version & 0xFF:D2} (jump at 0x200 is 0x{U16(head, ZeroPage.Jump):x4})");
        end = Math.Min(end, ZeroPage.HdrLimit);
        if (head.Length < end)
            throw Invalid($"{k} is truncated inside its setup header ({fileSize} bytes)");

        var h = new SetupHeader
        {
            SetupSects = head[ZeroPage.SetupSects] == 0 ? 4 : head[ZeroPage.SetupSects],
            SysSize = U32(head, ZeroPage.SysSize),
            Version = version,
            LoadFlags = head[ZeroPage.LoadFlags],
            XLoadFlags = U16(head, ZeroPage.XLoadFlags),
            InitrdAddrMax = U32(head, ZeroPage.InitrdAddrMax),
            KernelAlignment = U32(head, ZeroPage.KernelAlignment),
            Relocatable = head[ZeroPage.RelocatableKernel] != 0,
            CmdlineSize = U32(head, ZeroPage.CmdlineSize),
            PrefAddress = U64(head, ZeroPage.PrefAddress),
            InitSize = U32(head, ZeroPage.InitSize),
            End = end,
        };
        h.Check(k, fileSize);
        return h;
    }

    private void Check(string k, long fileSize)
    {
        if ((LoadFlags & ZeroPage.LoadedHigh) == 0)
            throw Invalid($"{k} is a zImage (loadflags lacks LOADED_HIGH); lguest boots bzImage and ELF kernels");
        if ((XLoadFlags & ZeroPage.XlfKernel64) == 0)
            throw Invalid($"{k} is a 32-bit kernel (xloadflags lacks XLF_KERNEL_64); lguest enters kernels in 64-bit mode, so build it for x86-64");
        if (SysSize == 0)
            throw Invalid($"{k} has no protected-mode code (syssize is 0); the image is corrupt");
        // CodeOffset <= 256*512 and CodeSize < 2^36: neither sum can wrap a long.
        long need = CodeOffset + (long)CodeSize;
        if (fileSize < need)
            throw Invalid($"{k} is truncated: its header promises {need} bytes ({SetupSects} setup sectors and " +
                          $"{CodeSize} bytes of code) but the file has {fileSize}");
        if (Relocatable && (KernelAlignment < Sizes.Page || KernelAlignment > 1u << 30 || !uint.IsPow2(KernelAlignment)))
            throw Invalid($"{k} asks for a kernel_alignment of 0x{KernelAlignment:x}, which is not a power of two between 4 KiB and 1 GiB; the image is corrupt");
    }

    private static EngineException Invalid(string message) => new(ErrorId.KernelInvalid, message);

    internal static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    internal static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    internal static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
