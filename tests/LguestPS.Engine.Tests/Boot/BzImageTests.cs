using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class BzImageTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    private KernelImage Open(BzImageBuilder b) => KernelImage.Open(_files.Write(b.Build(), "bzImage"));

    private EngineException Refused(BzImageBuilder b) => Refused(b.Build());

    private EngineException Refused(byte[] bytes)
    {
        var e = Assert.Throws<EngineException>(() => KernelImage.Open(_files.Write(bytes, "bzImage")).Dispose());
        Assert.Equal(ErrorId.KernelInvalid, e.Id);
        return e;
    }

    [Fact]
    public void RelocatableKernelLoadsAtPrefAddressAndEntersAt0x200()
    {
        using var k = Open(new BzImageBuilder());
        var bz = Assert.IsType<BzImage>(k);
        Assert.Equal(KernelFormat.BzImage, k.Format);
        Assert.Equal(0x100_0000UL, k.LoadAddress);
        Assert.Equal(0x100_0200UL, k.Entry);
        Assert.Equal(0x100_0000UL + 0x40_0000, k.End);           // pref_address + init_size
        Assert.Equal(0x020F, bz.Header.Version);
        Assert.Equal("2.15", bz.Header.VersionText);
        Assert.Equal(0x7FFF_FFFFUL, k.InitrdAddrMax);
        Assert.Equal(2047, k.CmdLineMax);
    }

    [Fact]
    public void UnalignedPrefAddressIsRoundedUpToKernelAlignment()
    {
        using var k = Open(new BzImageBuilder { PrefAddress = 0x110_0000 });
        Assert.Equal(0x120_0000UL, k.LoadAddress);
    }

    [Fact]
    public void RelocatableKernelNeverLoadsBelowOneMiB()
    {
        using var k = Open(new BzImageBuilder { PrefAddress = 0x1000 });
        Assert.Equal(0x20_0000UL, k.LoadAddress); // 1 MiB rounded up to the 2 MiB alignment
    }

    [Fact]
    public void NonRelocatableKernelLoadsAtOneMiBAndRunsAtPrefAddress()
    {
        using var k = Open(new BzImageBuilder { Relocatable = false, KernelAlignment = 0 });
        Assert.Equal(0x10_0000UL, k.LoadAddress);
        Assert.Equal(0x10_0200UL, k.Entry);
        Assert.Equal(0x100_0000UL + 0x40_0000, k.End); // it moves itself to pref_address and needs init_size there
    }

    [Fact]
    public void EndCoversTheCodeWhenInitSizeIsSmaller()
    {
        using var k = Open(new BzImageBuilder { InitSize = 0x100, CodeSize = 0x8000 });
        Assert.Equal(0x100_0000UL + 0x8000, k.End);
    }

    [Fact]
    public void SetupSectsZeroMeansFour()
    {
        var b = new BzImageBuilder { SetupSects = 0 };
        using var k = Open(b);
        var bz = Assert.IsType<BzImage>(k);
        Assert.Equal(4, bz.Header.SetupSects);
        Assert.Equal(5 * 512L, bz.Header.CodeOffset);
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor);
        Assert.Equal(BzImageBuilder.CodeByte(0), mem.Read<byte>(k.LoadAddress));
        Assert.Equal(BzImageBuilder.CodeByte(b.CodeSize - 1), mem.Read<byte>(k.LoadAddress + (ulong)b.CodeSize - 1));
    }

    [Fact]
    public void LoadsExactlySyssizeParagraphsAndIgnoresTrailingBytes()
    {
        var b = new BzImageBuilder { SetupSects = 7, TrailingBytes = 1472 };
        var bytes = b.Build();
        bytes.AsSpan(bytes.Length - 1472).Fill(0xEE);
        using var k = KernelImage.Open(_files.Write(bytes));
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor);
        var loaded = mem.Slice(k.LoadAddress, b.CodeSize + 16).ToArray();
        for (int i = 0; i < b.CodeSize; i++) Assert.Equal(BzImageBuilder.CodeByte(i), loaded[i]);
        Assert.All(loaded[b.CodeSize..], x => Assert.Equal(0, x));
    }

    [Fact]
    public void RefusesAThirtyTwoBitOnlyKernel()
    {
        var e = Refused(new BzImageBuilder { XLoadFlags = 0 });
        Assert.Contains("32-bit", e.Message);
        Assert.Contains("XLF_KERNEL_64", e.Message);
    }

    [Theory]
    [InlineData(0x0206)]
    [InlineData(0x020A)]
    [InlineData(0x020B)]
    public void RefusesProtocolsWithoutXloadflags(int version)
    {
        var e = Refused(new BzImageBuilder { Version = (ushort)version });
        Assert.Contains($"{version >> 8}.{version & 0xFF:D2}", e.Message);
        Assert.Contains("2.12", e.Message);
    }

    [Fact]
    public void AcceptsProtocol212()
    {
        using var k = Open(new BzImageBuilder { Version = 0x020C, JumpOffset = 0x62 });
        Assert.Equal(0x020C, ((BzImage)k).Header.Version);
        Assert.Equal(0x264, ((BzImage)k).Header.End);
    }

    [Fact]
    public void RefusesAZImage() =>
        Assert.Contains("zImage", Refused(new BzImageBuilder { LoadFlags = 0 }).Message);

    [Fact]
    public void RefusesCorruptMagic()
    {
        Assert.Contains("HdrS", Refused(new BzImageBuilder { Magic = 0x53726449 }).Message);
        Assert.Contains("0xAA55", Refused(new BzImageBuilder { BootFlag = 0x55AA }).Message);
    }

    [Theory]
    [InlineData(0x10)]   // a header too short to say anything
    [InlineData(0x80)]   // negative jump
    public void RefusesABrokenHeaderLength(int jump) =>
        Refused(new BzImageBuilder { JumpOffset = (byte)jump });

    [Theory]
    [InlineData(0)]
    [InlineData(0x100)]       // before the header
    [InlineData(0x1FF)]       // inside boot_flag
    [InlineData(0x206)]       // just after "HdrS"
    [InlineData(0x230)]       // inside the setup header
    [InlineData(0x400)]       // inside the setup sectors
    [InlineData(5 * 512 + 0x1000)] // inside the protected-mode code
    [InlineData(5 * 512 + 0x3000 - 1)] // one byte short
    public void RefusesATruncatedImage(int length)
    {
        var bytes = new BzImageBuilder().Build();
        var e = Refused(bytes[..length]);
        Assert.Matches("truncated|too small|not a|neither", e.Message);
    }

    [Fact]
    public void RefusesEmptyCode() => Assert.Contains("syssize", Refused(new BzImageBuilder { SysSize = 0 }).Message);

    [Fact]
    public void RefusesAbsurdSyssize() =>
        Assert.Contains("truncated", Refused(new BzImageBuilder { SysSize = uint.MaxValue }).Message);

    [Fact]
    public void RefusesAbsurdInitSize() =>
        Assert.Contains("init_size", Refused(new BzImageBuilder { InitSize = uint.MaxValue }).Message);

    [Fact]
    public void RefusesAbsurdPrefAddress()
    {
        Refused(new BzImageBuilder { PrefAddress = ulong.MaxValue - 0x1000 });
        Refused(new BzImageBuilder { PrefAddress = 0xC000_0000 });
        Refused(new BzImageBuilder { Relocatable = false, PrefAddress = 0x8000 });
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x30_0000u)]
    [InlineData(0x8000_0000u)]
    public void RefusesNonsenseAlignmentForARelocatableKernel(uint align) =>
        Assert.Contains("kernel_alignment", Refused(new BzImageBuilder { KernelAlignment = align }).Message);

    [Fact]
    public void TooSmallMemoryIsReportedWithNumbersAndAFix()
    {
        using var k = Open(new BzImageBuilder { InitSize = 0x300_0000 }); // runs at 16 MiB, needs 48 MiB: 64 MiB
        k.CheckFits(64 << 20);
        var e = Assert.Throws<EngineException>(() => k.CheckFits(63 << 20));
        Assert.Equal(ErrorId.MemoryTooSmall, e.Id);
        Assert.Contains("needs 64 MiB", e.Message);
        Assert.Contains("has 63 MiB", e.Message);
        Assert.Contains("at least 64 MiB", e.Message);
        Assert.Equal(64UL << 20, k.MinimumMemory);
    }

    [Fact]
    public void MissingKernelIsNotFound()
    {
        var e = Assert.Throws<EngineException>(() => KernelImage.Open(Path.Combine(_files.Dir, "no-such-kernel")));
        Assert.Equal(ErrorId.KernelNotFound, e.Id);
        Assert.Contains("no-such-kernel", e.Message);
        e = Assert.Throws<EngineException>(() => KernelImage.Open(Path.Combine(_files.Dir, "no-such-dir", "bzImage")));
        Assert.Equal(ErrorId.KernelNotFound, e.Id);
    }

    [Fact]
    public void ADirectoryIsUnreadable()
    {
        var e = Assert.Throws<EngineException>(() => KernelImage.Open(_files.Dir));
        Assert.Equal(ErrorId.KernelUnreadable, e.Id);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public async Task AFifoIsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Path.Combine(_files.Dir, "fifo");
        MakeFifo(fifo);
        var open = Task.Run(() => Assert.Throws<EngineException>(() => KernelImage.Open(fifo)));
        Assert.Same(open, await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10)))); // hung otherwise
        Assert.Equal(ErrorId.KernelUnreadable, (await open).Id);
    }

    private static unsafe void MakeFifo(string path)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = name) Assert.Equal(0, Tmds.Linux.LibC.mkfifo(p, 0x180));
    }
}
