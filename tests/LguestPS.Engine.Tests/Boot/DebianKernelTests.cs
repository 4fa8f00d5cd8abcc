using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>
/// The header of a real distribution kernel. Get one with
/// <c>apt-get download linux-image-6.1.0-56-cloud-amd64 &amp;&amp; dpkg-deb -x linux-image-*.deb ~/.cache/lguestps/debian</c>,
/// or point LGUESTPS_DEBIAN_KERNEL at a vmlinuz.
/// </summary>
public class DebianKernelTests
{
    private static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable("LGUESTPS_DEBIAN_KERNEL");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) ? env : null;
        string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lguestps");
        if (!Directory.Exists(cache)) return null;
        return Directory.EnumerateFiles(cache, "vmlinuz-6.1.*", SearchOption.AllDirectories).Order().FirstOrDefault();
    }

    private static string Kernel()
    {
        string? path = Find();
        Skip.If(path is null, "no Debian kernel: set LGUESTPS_DEBIAN_KERNEL, or apt-get download linux-image-6.1.0-56-cloud-amd64 " +
                              "and dpkg-deb -x it under ~/.cache/lguestps");
        return path!;
    }

    [SkippableFact]
    public void HeaderParsesAsAModernRelocatable64BitKernel()
    {
        using var k = KernelImage.Open(Kernel());
        var bz = Assert.IsType<BzImage>(k);
        var h = bz.Header;
        Assert.True(h.Version >= 0x020F, $"protocol {h.VersionText}");
        Assert.True(h.Relocatable);
        Assert.NotEqual(0, h.XLoadFlags & 1);
        Assert.Equal(0x7FFF_FFFFu, h.InitrdAddrMax);
        Assert.Equal(2047u, h.CmdlineSize);
        Assert.Equal(0x100_0000UL, h.PrefAddress);            // CONFIG_PHYSICAL_START
        Assert.True(h.CodeOffset + (long)h.CodeSize <= k.FileSize);
        Assert.Equal(h.PrefAddress, k.LoadAddress);
        Assert.Equal(h.PrefAddress + 0x200, k.Entry);
        Assert.Equal(h.PrefAddress + h.InitSize, k.End);
    }

    [SkippableFact]
    public void NeedsMoreThan64MiB()
    {
        using var k = KernelImage.Open(Kernel());
        var e = Assert.Throws<EngineException>(() => k.CheckFits(64 << 20));
        Assert.Equal(ErrorId.MemoryTooSmall, e.Id);
        k.CheckFits(96 << 20);
    }

    [SkippableFact]
    public void LoadsTheProtectedModeCodeAndCopiesTheHeader()
    {
        string path = Kernel();
        byte[] file = File.ReadAllBytes(path);
        using var k = KernelImage.Open(path);
        var h = ((BzImage)k).Header;
        using var mem = new GuestMemory(128 << 20);
        using var files = new TempFiles();
        using var initrd = InitrdImage.Open(files.Write(new byte[1 << 20], "initrd"));
        var plan = BootLoader.Load(mem, k, initrd, "console=ttyS0 panic=-1", 1, PciIntx.GsiFor);

        Assert.True(file.AsSpan((int)h.CodeOffset, (int)h.CodeSize).SequenceEqual(mem.Slice(k.LoadAddress, (int)h.CodeSize)));
        Assert.True(plan.InitrdGpa >= k.End);
        Assert.True(plan.InitrdGpa + plan.InitrdSize <= 128UL << 20);
        // Header fields the decompressor reads in startup_64 survive the copy.
        Assert.Equal(h.KernelAlignment, mem.Read<uint>(Layout.BootParams + 0x230));
        Assert.Equal(h.InitSize, mem.Read<uint>(Layout.BootParams + 0x260));
        Assert.Equal(h.Version, mem.Read<ushort>(Layout.BootParams + 0x206));
        Assert.Equal(0, mem.Read<byte>(Layout.BootParams + 0x1EF)); // the file's sentinel byte is not copied
    }
}
