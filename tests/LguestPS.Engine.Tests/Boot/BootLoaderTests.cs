using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class BootLoaderTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    [Fact]
    public void PlanSaysWhereEverythingWent()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        using var initrd = InitrdImage.Open(_files.Write(new byte[5000], "initrd"));
        using var mem = new GuestMemory(128 << 20);
        var plan = BootLoader.Load(mem, k, initrd, "quiet", 2, PciIntx.GsiFor);

        Assert.Equal(KernelFormat.BzImage, plan.Format);
        Assert.Equal(0x100_0200UL, plan.Entry);
        Assert.Equal(Layout.BootParams, plan.BootParams);
        Assert.Equal(0x100_0000UL, plan.KernelStart);
        Assert.Equal(0x140_0000UL, plan.KernelEnd);
        Assert.Equal((128UL << 20) - 8192, plan.InitrdGpa);
        Assert.Equal(5000UL, plan.InitrdSize);
        Assert.Equal(Layout.CmdLine, plan.CmdLineGpa);
        Assert.Equal(5, plan.CmdLineLength);
        Assert.Equal(2, plan.Cpus);
        Assert.Equal(plan.Entry, plan.Cpu.Rip);
        Assert.Equal(plan.BootParams, plan.Cpu.Rsi);
        Assert.Equal(2, MpTableReader.Read(mem).Entries.Count(e => e[0] == 0));
        // The zero page's acpi_rsdp_addr (0x070) names the RSDP an OS would find by scanning, whose MADT has both CPUs.
        var acpi = Acpi.AcpiReader.Read(mem);
        Assert.Equal(acpi.RsdpGpa, mem.Read<ulong>(Layout.BootParams + 0x070));
        Assert.Equal(2, Acpi.AcpiReader.MadtEntries(acpi["APIC"]).Count(e => e[0] == 0));
        Assert.Equal(Gdt.Code64, mem.Read<ulong>(Layout.Gdt + 0x10));
        Assert.Equal(plan.Entry, PageWalker.Translate(mem, plan.Cpu.Cr3, plan.Entry));
    }

    [Fact]
    public void ReloadingIntoUsedMemoryGivesTheSameGuest()
    {
        using var k = KernelImage.Open(_files.Write(ElfBuilder.Kernel().Build()));
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, "first boot with a long command line", 4, PciIntx.GsiFor);
        var lowBefore = mem.Slice(0, 0x10_0000).ToArray();
        using var fresh = new GuestMemory(64 << 20);
        BootLoader.Load(fresh, k, null, "second", 1, PciIntx.GsiFor);
        // Scribble over the used memory as a running guest would, then reload it with the second boot's settings.
        mem.Slice(0, 0x10_0000).Fill(0x5A);
        BootLoader.Load(mem, k, null, "second", 1, PciIntx.GsiFor);
        foreach (var (gpa, len) in new (ulong, int)[] { (0, 0x68), (Layout.Gdt, 0x30), (Layout.BootParams, 0x1000),
                     (Layout.BootStackTop - 0x1000, 0x1000), (Layout.Pml4, 0x6000), (Layout.CmdLine, Layout.CmdLineMax),
                     (Layout.MpTable, 0x400), (Layout.AcpiTables, 0x10000), (Layout.MpConfig, 0x10000) })
            Assert.True(fresh.Slice(gpa, len).SequenceEqual(mem.Slice(gpa, len)), $"[0x{gpa:x}, +0x{len:x}) differs after reload");
        Assert.False(lowBefore.AsSpan().SequenceEqual(mem.Slice(0, 0x10_0000)));
    }

    [Fact]
    public void MemoryTooSmallIsRefusedBeforeAnythingIsWritten()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder { InitSize = 0x800_0000 }.Build())); // needs 144 MiB
        using var mem = new GuestMemory(128 << 20);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor));
        Assert.Equal(ErrorId.MemoryTooSmall, e.Id);
        Assert.Contains("144 MiB", e.Message);
        Assert.Equal(0UL, mem.Read<ulong>(Layout.Pml4));
    }

    [Fact]
    public void AGuestOfOneMiBIsTooSmallForAnyKernel()
    {
        using var k = KernelImage.Open(_files.Write(ElfBuilder.Kernel().Build()));
        using var mem = new GuestMemory(1 << 20);
        Assert.Equal(ErrorId.MemoryTooSmall, Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor)).Id);
    }

    [Fact]
    public void AFileThatShrinksAfterOpenIsUnreadableNotACrash()
    {
        string path = _files.Write(new BzImageBuilder().Build());
        using var k = KernelImage.Open(path);
        File.WriteAllBytes(path, new byte[100]);
        using var mem = new GuestMemory(64 << 20);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor));
        Assert.Equal(ErrorId.KernelUnreadable, e.Id);
        Assert.Contains(path, e.Message);
    }
}
