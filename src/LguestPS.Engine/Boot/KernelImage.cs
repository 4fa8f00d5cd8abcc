using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:080
 * Loading the kernel is the seed's L:140 all over again: look at the first
 * bytes; "\177ELF" means a vmlinux we place segment by segment at its
 * physical addresses, anything else had better be a bzImage.
 *
 * Opening and loading are two steps on purpose. Open reads and checks the
 * headers and works out where everything goes, so the VMM can refuse a bad
 * kernel, or too little memory, before it creates a VM; Load (BootLoader)
 * then copies bytes. The file stays open in between, and Dispose closes it.
 */
public abstract class KernelImage : IDisposable
{
    /// <summary>How much of the file we look at to tell the formats apart and read their headers.</summary>
    private const int ProbeSize = 1024;

    private protected ImageFile File { get; }

    private protected KernelImage(ImageFile file) => File = file;

    public string Path => File.Path;
    public long FileSize => File.Size;
    public abstract KernelFormat Format { get; }

    /// <summary>The first guest-physical byte the image is copied to.</summary>
    public ulong LoadAddress { get; private protected init; }
    /// <summary>The 64-bit entry point (%rip at the first instruction).</summary>
    public ulong Entry { get; private protected init; }
    /// <summary>One past the last byte the kernel claims before it has read the memory map. The initrd goes above.</summary>
    public ulong End { get; private protected init; }
    /// <summary>The highest byte address an initrd may occupy.</summary>
    public abstract ulong InitrdAddrMax { get; }
    /// <summary>The longest command line this kernel takes, in bytes, not counting the NUL.</summary>
    public abstract int CmdLineMax { get; }

    /// <summary>The kernel's own version banner, when it carries one (a bzImage's kernel_version string), else "".</summary>
    public string VersionBanner { get; private protected init; } = "";

    /// <summary>True when the image says it is Linux: quirks for Linux guests apply to it, and to nothing else.</summary>
    public bool IsLinux { get; private protected init; }

    /// <summary>Smallest guest RAM, in bytes, that holds the kernel (whole MiB).</summary>
    public ulong MinimumMemory => Sizes.AlignUp(End, Sizes.MiB);

    /// <summary>Opens a bzImage or ELF vmlinux and checks its headers; nothing is loaded yet.</summary>
    public static KernelImage Open(string path)
    {
        var file = ImageFile.Open(path, "kernel", ErrorId.KernelNotFound, ErrorId.KernelUnreadable);
        try
        {
            var head = new byte[(int)Math.Min(file.Size, ProbeSize)];
            file.Read(0, head);
            return ElfImage.IsElf(head) ? ElfImage.Parse(file, head) : BzImage.Parse(file, head);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Throws MemoryTooSmall unless a guest with memoryBytes of RAM holds the kernel.</summary>
    public void CheckFits(ulong memoryBytes)
    {
        ulong lowEnd = Math.Min(memoryBytes, Layout.MmioHoleStart);
        if (End > lowEnd)
            throw new EngineException(ErrorId.MemoryTooSmall,
                $"kernel '{Path}' needs {Sizes.MiBUp(End)} MiB of guest RAM ({Needs}) but the VM has {memoryBytes >> 20} MiB; " +
                $"give it at least {Sizes.MiBUp(End)} MiB, plus room for an initrd if you use one");
    }

    /// <summary>Why the kernel needs End bytes, for the MemoryTooSmall message.</summary>
    private protected abstract string Needs { get; }

    /// <summary>Copies the kernel into guest RAM. The caller has checked CheckFits(mem.Size).</summary>
    internal abstract void LoadInto(GuestMemory mem);

    /// <summary>Fills boot_params.hdr in a zeroed zero page: the kernel's own header, or the minimum a vmlinux needs.</summary>
    internal abstract void WriteSetupHeader(Span<byte> zeroPage);

    public void Dispose()
    {
        File.Dispose();
        GC.SuppressFinalize(this);
    }
}
