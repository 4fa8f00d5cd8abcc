using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:120
 * The initial RAM disk. The seed mapped it at the very top of guest memory,
 * page aligned, and so do we, with three more rules the seed could ignore:
 *
 *  - "the top" is the end of RAM *below the PCI hole*: the kernel finds its
 *    initrd through 32-bit ramdisk_image, and the identity map ends at 4 GiB;
 *  - the kernel says how high it can reach (initrd_addr_max, the address of
 *    the highest byte it accepts: 0x7fffffff for a Debian kernel);
 *  - it must not land in the memory the kernel claims before it has read the
 *    memory map (KernelImage.End), or the decompressor writes over it.
 *
 * If those leave too little room we say how much there is and what would
 * help: more memory, if the limit was the end of RAM.
 */
public sealed class InitrdImage : IDisposable
{
    private readonly ImageFile _file;

    public string Path => _file.Path;
    public ulong Size => (ulong)_file.Size;

    private InitrdImage(ImageFile file) => _file = file;

    public static InitrdImage Open(string path)
    {
        var file = ImageFile.Open(path, "initrd", ErrorId.InitrdNotFound, ErrorId.InitrdUnreadable);
        if (file.Size == 0)
        {
            file.Dispose();
            throw new EngineException(ErrorId.InitrdUnreadable, $"initrd '{path}' is empty; give a cpio archive (optionally compressed)");
        }
        return new InitrdImage(file);
    }

    /// <summary>Where an initrd of size bytes goes: page aligned, as high as allowed, above kernelEnd.</summary>
    public static ulong Place(ulong size, ulong kernelEnd, ulong lowRamEnd, ulong initrdAddrMax, string name = "the initrd")
    {
        ulong ceiling = Math.Min(Math.Min(lowRamEnd, Sizes.AddSat(initrdAddrMax, 1)), Layout.FourGiB);
        ulong floor = Sizes.AlignUp(kernelEnd, Sizes.Page);
        if (size <= ceiling && Sizes.AlignDown(ceiling - size, Sizes.Page) >= floor)
            return Sizes.AlignDown(ceiling - size, Sizes.Page);

        ulong room = ceiling > floor ? ceiling - floor : 0;
        ulong enoughRam = Sizes.AddSat(floor, Sizes.AlignUp(size, Sizes.Page));
        ulong kernelLimit = Sizes.AddSat(initrdAddrMax, 1);
        string why = enoughRam <= Math.Min(kernelLimit, Layout.MmioHoleStart)
            ? $"give the VM at least {Sizes.MiBUp(enoughRam)} MiB or use a smaller initrd"
            : kernelLimit < Layout.MmioHoleStart
                ? $"the kernel takes an initrd only below 0x{kernelLimit:x} (initrd_addr_max), so use a smaller initrd"
                : "use a smaller initrd";
        throw new EngineException(ErrorId.InitrdTooLarge,
            $"{name} is {Describe(size)} but only {Describe(room)} are free between the kernel (ending at 0x{kernelEnd:x}) " +
            $"and 0x{ceiling:x}; {why}");
    }

    private static string Describe(ulong bytes) =>
        bytes >= Sizes.MiB ? $"{bytes / (double)Sizes.MiB:F1} MiB" : $"{bytes} bytes";

    internal void LoadInto(GuestMemory mem, ulong gpa) => _file.ReadInto(mem, 0, gpa, Size);

    public void Dispose() => _file.Dispose();
}
