using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class InitrdTests : IDisposable
{
    private const ulong MiB = 1 << 20;
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    [Fact]
    public void GoesPageAlignedAtTheTopOfRam()
    {
        ulong gpa = InitrdImage.Place(size: 12345, kernelEnd: 20 * MiB, lowRamEnd: 64 * MiB, initrdAddrMax: 0x7FFF_FFFF);
        Assert.Equal(0UL, gpa % 4096);
        Assert.True(gpa + 12345 <= 64 * MiB);
        Assert.True(64 * MiB - (gpa + 12345) < 4096);
    }

    [Fact]
    public void ExactlyFitsBetweenKernelAndEndOfRam()
    {
        Assert.Equal(20 * MiB, InitrdImage.Place(44 * MiB, 20 * MiB, 64 * MiB, 0x7FFF_FFFF));
        // Unaligned sizes still need whole pages below the ceiling.
        Assert.Equal(20 * MiB, InitrdImage.Place(44 * MiB - 100, 20 * MiB, 64 * MiB, 0x7FFF_FFFF));
        // An unaligned kernel end rounds up to the next page.
        Assert.Equal(20 * MiB + 4096, InitrdImage.Place(44 * MiB - 4096, 20 * MiB + 1, 64 * MiB, 0x7FFF_FFFF));
    }

    [Fact]
    public void TooLargeSaysHowMuchRoomThereIsAndWhatHelps()
    {
        var e = Assert.Throws<EngineException>(() => InitrdImage.Place(44 * MiB + 1, 20 * MiB, 64 * MiB, 0x7FFF_FFFF));
        Assert.Equal(ErrorId.InitrdTooLarge, e.Id);
        Assert.Contains("44.0 MiB are free", e.Message);
        Assert.Contains("at least 65 MiB", e.Message);
        // An initrd larger than all of RAM.
        e = Assert.Throws<EngineException>(() => InitrdImage.Place(ulong.MaxValue, 20 * MiB, 64 * MiB, 0x7FFF_FFFF));
        Assert.Equal(ErrorId.InitrdTooLarge, e.Id);
    }

    [Fact]
    public void HonoursInitrdAddrMax()
    {
        // 1 GiB of RAM, but the kernel reaches only below 256 MiB.
        ulong gpa = InitrdImage.Place(8 * MiB, 20 * MiB, 1024 * MiB, 256 * MiB - 1);
        Assert.Equal(248 * MiB, gpa);
        var e = Assert.Throws<EngineException>(() => InitrdImage.Place(237 * MiB, 20 * MiB, 1024 * MiB, 256 * MiB - 1));
        Assert.Contains("initrd_addr_max", e.Message);
        Assert.DoesNotContain("give the VM", e.Message); // more memory would not help
    }

    [Fact]
    public void NeverGoesAboveFourGiBOrIntoTheHole()
    {
        ulong gpa = InitrdImage.Place(MiB, 20 * MiB, Layout.MmioHoleStart, uint.MaxValue);
        Assert.Equal(Layout.MmioHoleStart - MiB, gpa);
    }

    [Fact]
    public void IsLoadedAndAnnouncedInTheZeroPage()
    {
        var data = ElfBuilder.Pattern(10_000, 5);
        using var initrd = InitrdImage.Open(_files.Write(data, "initrd"));
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        using var mem = new GuestMemory(64 * MiB);
        var plan = BootLoader.Load(mem, k, initrd, "", 1, PciIntx.GsiFor);
        Assert.Equal(10_000UL, plan.InitrdSize);
        Assert.Equal(64 * MiB - 3 * 4096, plan.InitrdGpa);
        Assert.Equal(data, mem.Slice(plan.InitrdGpa, data.Length).ToArray());
        Assert.Equal((uint)plan.InitrdGpa, mem.Read<uint>(Layout.BootParams + 0x218)); // ramdisk_image
        Assert.Equal(10_000u, mem.Read<uint>(Layout.BootParams + 0x21C));             // ramdisk_size
        Assert.Equal(0u, mem.Read<uint>(Layout.BootParams + 0x0C0));                  // ext_ramdisk_image
        Assert.Equal(0u, mem.Read<uint>(Layout.BootParams + 0x0C4));                  // ext_ramdisk_size
    }

    [Fact]
    public void TooLargeForTheVmIsRefusedBeforeAnythingIsWritten()
    {
        using var initrd = InitrdImage.Open(_files.Write(new byte[3 * MiB], "initrd"));
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder { InitSize = 0x2F0_0000 }.Build())); // ends at 63 MiB
        using var mem = new GuestMemory(64 * MiB);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, initrd, "", 1, PciIntx.GsiFor));
        Assert.Equal(ErrorId.InitrdTooLarge, e.Id);
        Assert.Contains($"initrd '{initrd.Path}'", e.Message);
        Assert.Equal(0, mem.Read<byte>(k.LoadAddress)); // the kernel was not loaded either
    }

    [Fact]
    public void OpenFailuresHaveTheirOwnIds()
    {
        Assert.Equal(ErrorId.InitrdNotFound,
            Assert.Throws<EngineException>(() => InitrdImage.Open(Path.Combine(_files.Dir, "nope"))).Id);
        Assert.Equal(ErrorId.InitrdUnreadable, Assert.Throws<EngineException>(() => InitrdImage.Open(_files.Dir)).Id);
        var e = Assert.Throws<EngineException>(() => InitrdImage.Open(_files.Write([], "empty")));
        Assert.Equal(ErrorId.InitrdUnreadable, e.Id);
        Assert.Contains("empty", e.Message);
    }
}
