using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class ElfImageTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    private KernelImage Open(ElfBuilder b) => KernelImage.Open(_files.Write(b.Build(), "vmlinux"));

    private EngineException Refused(ElfBuilder b, ErrorId id = ErrorId.KernelInvalid) => Refused(b.Build(), id);

    private EngineException Refused(byte[] bytes, ErrorId id = ErrorId.KernelInvalid)
    {
        var e = Assert.Throws<EngineException>(() => KernelImage.Open(_files.Write(bytes, "vmlinux")).Dispose());
        Assert.Equal(id, e.Id);
        return e;
    }

    [Fact]
    public void LoadsPtLoadSegmentsAtTheirPhysicalAddressesAndZeroesTheRest()
    {
        var b = ElfBuilder.Kernel();
        using var k = Open(b);
        var elf = Assert.IsType<ElfImage>(k);
        Assert.Equal(KernelFormat.Elf, k.Format);
        Assert.Equal(2, elf.Segments.Count); // the PT_NOTE is not loaded
        Assert.Equal(0x100_0000UL, k.LoadAddress);
        Assert.Equal(0x120_5000UL, k.End);
        Assert.Equal(0x100_0000UL, k.Entry);

        using var mem = new GuestMemory(64 << 20);
        mem.Slice(0x120_0000, 0x5000).Fill(0xCC); // what a previous boot might have left
        BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor);
        Assert.Equal(b.Segments[0].Data, mem.Slice(0x100_0000, 0x2000).ToArray());
        Assert.Equal(b.Segments[1].Data, mem.Slice(0x120_0000, 0x1000).ToArray());
        Assert.All(mem.Slice(0x120_1000, 0x4000).ToArray(), x => Assert.Equal(0, x)); // .bss
    }

    [Fact]
    public void AVirtualEntryIsTranslatedThroughItsSegment()
    {
        var b = ElfBuilder.Kernel();
        b.Entry = 0xFFFF_FFFF_8100_0040;
        using var k = Open(b);
        Assert.Equal(0x100_0040UL, k.Entry);
    }

    [Fact]
    public void RefusesAnEntryOutsideEverySegment()
    {
        var b = ElfBuilder.Kernel();
        b.Entry = 0x50_0000;
        Assert.Contains("entry point", Refused(b).Message);
    }

    [Theory]
    [InlineData((ushort)183, "AArch64")]
    [InlineData((ushort)3, "i386")]
    [InlineData((ushort)243, "RISC-V")]
    [InlineData((ushort)9999, "another machine")]
    public void RefusesAnotherMachine(ushort machine, string name)
    {
        var b = ElfBuilder.Kernel();
        b.Machine = machine;
        var e = Refused(b);
        Assert.Contains(name, e.Message);
        Assert.Contains("not x86-64", e.Message);
    }

    [Fact]
    public void RefusesA32BitElf()
    {
        // An i386 ELF32 header: e_ident says ELFCLASS32, machine EM_386 at the same offset.
        var b = ElfBuilder.Kernel();
        b.Class = 1;
        b.Machine = 3;
        Assert.Contains("32-bit", Refused(b).Message);
    }

    [Fact]
    public void RefusesBigEndianAndNonExecutables()
    {
        var b = ElfBuilder.Kernel();
        b.DataEncoding = 2;
        Assert.Contains("big-endian", Refused(b).Message);
        b = ElfBuilder.Kernel();
        b.Type = 3;
        Assert.Contains("ET_DYN", Refused(b).Message);
        b.Type = 1;
        Assert.Contains("ET_REL", Refused(b).Message);
    }

    [Fact]
    public void RefusesATruncatedElfHeader()
    {
        var bytes = ElfBuilder.Kernel().Build();
        Assert.Contains("truncated", Refused(bytes[..40]).Message);
        Refused(bytes[..4]); // "\177ELF" and nothing else
    }

    [Fact]
    public void RefusesAProgramHeaderTableOutsideTheFile()
    {
        var b = ElfBuilder.Kernel();
        b.PhOff = 0x10_0000;
        Assert.Contains("program header table", Refused(b).Message);
        b.PhOff = ulong.MaxValue - 8; // would wrap
        Assert.Contains("program header table", Refused(b).Message);
        b = ElfBuilder.Kernel();
        b.PhNum = 250; // more than the file holds
        Assert.Contains("program header table", Refused(b).Message);
    }

    [Fact]
    public void RefusesOddProgramHeaderCounts()
    {
        var b = ElfBuilder.Kernel();
        b.PhNum = 0;
        Refused(b);
        b.PhNum = 0xFFFF; // PN_XNUM
        Refused(b);
        b = ElfBuilder.Kernel();
        b.PhEntSize = 32;
        Refused(b);
    }

    [Fact]
    public void RefusesFileszLargerThanMemsz()
    {
        var b = ElfBuilder.Kernel();
        b.Segments[1].MemSize = 0x800;
        Assert.Contains("p_filesz", Refused(b).Message);
    }

    [Fact]
    public void RefusesSegmentBytesOutsideTheFile()
    {
        var b = ElfBuilder.Kernel();
        b.Segments[0].Offset = 0x1_0000;
        Assert.Contains("truncated", Refused(b).Message);
        b = ElfBuilder.Kernel();
        b.Segments[0].Offset = ulong.MaxValue - 0x10;
        Refused(b);
        b = ElfBuilder.Kernel();
        b.Segments[0].FileSize = b.Segments[0].MemSize = 0x10_0000;
        Refused(b);
    }

    [Fact]
    public void RefusesAnOverflowingSegment()
    {
        var b = ElfBuilder.Kernel();
        b.Segments[1].Paddr = ulong.MaxValue - 0x1000;
        b.Segments[1].MemSize = 0x10_0000;
        Assert.Contains("wraps", Refused(b).Message);
    }

    [Fact]
    public void RefusesSegmentsBelowOneMiBOrInTheHole()
    {
        var b = ElfBuilder.Kernel();
        b.Segments[1].Paddr = 0x7000; // on top of the zero page
        Assert.Contains("below 1 MiB", Refused(b).Message);
        b = ElfBuilder.Kernel();
        b.Segments[1].Paddr = 0xBFFF_F000; // runs into the PCI hole
        Assert.Contains("PCI hole", Refused(b).Message);
    }

    [Fact]
    public void ASegmentBeyondRamIsMemoryTooSmall()
    {
        var b = ElfBuilder.Kernel();
        b.Segments[1].Paddr = 0x2000_0000; // 512 MiB
        using var k = Open(b);
        var e = Assert.Throws<EngineException>(() => k.CheckFits(64 << 20));
        Assert.Equal(ErrorId.MemoryTooSmall, e.Id);
        Assert.Contains("at least 513 MiB", e.Message);
        using var mem = new GuestMemory(64 << 20);
        Assert.Equal(ErrorId.MemoryTooSmall, Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor)).Id);
    }

    [Fact]
    public void RefusesAnElfWithNothingToLoad()
    {
        var b = ElfBuilder.Kernel();
        b.Segments.RemoveRange(0, 2);
        Assert.Contains("PT_LOAD", Refused(b).Message);
    }

    [Fact]
    public void ZeroPageCarriesTheMinimalHeaderAVmlinuxNeeds()
    {
        using var k = Open(ElfBuilder.Kernel());
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, "console=ttyS0", 1, PciIntx.GsiFor);
        Assert.Equal(0xAA55, mem.Read<ushort>(Layout.BootParams + 0x1FE));
        Assert.Equal(0x53726448u, mem.Read<uint>(Layout.BootParams + 0x202));
        Assert.Equal(0x020C, mem.Read<ushort>(Layout.BootParams + 0x206));
        Assert.Equal(0xFF, mem.Read<byte>(Layout.BootParams + 0x210));
        Assert.Equal(0x20_0000u, mem.Read<uint>(Layout.BootParams + 0x230));
        Assert.Equal(2047u, mem.Read<uint>(Layout.BootParams + 0x238));
        Assert.Equal((uint)Layout.CmdLine, mem.Read<uint>(Layout.BootParams + 0x228));
    }

    [Fact]
    public void CommandLineLimitIsLinuxsCommandLineSize()
    {
        using var k = Open(ElfBuilder.Kernel());
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, new string('x', 2047), 1, PciIntx.GsiFor);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, new string('x', 2048), 1, PciIntx.GsiFor));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
    }
}
