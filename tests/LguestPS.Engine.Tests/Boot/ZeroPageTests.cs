using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class ZeroPageTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    [Fact]
    public void OffsetsAreThoseOfBootparamH()
    {
        // struct boot_params and struct setup_header, arch/x86/include/uapi/asm/bootparam.h.
        Assert.Equal(0x0C0, ZeroPage.ExtRamdiskImage);
        Assert.Equal(0x0C4, ZeroPage.ExtRamdiskSize);
        Assert.Equal(0x0C8, ZeroPage.ExtCmdLinePtr);
        Assert.Equal(0x1E8, ZeroPage.E820Entries);
        Assert.Equal(0x1EF, ZeroPage.Sentinel);
        Assert.Equal(0x1F1, ZeroPage.Hdr);
        Assert.Equal(0x2D0, ZeroPage.E820Table);
        Assert.Equal(128, ZeroPage.E820Max);
        Assert.Equal(0x2D0 + 128 * 20, 0xCD0); // e820_table ends where _pad8 begins
        Assert.Equal(0x1F4, ZeroPage.SysSize);
        Assert.Equal(0x1FE, ZeroPage.BootFlag);
        Assert.Equal(0x202, ZeroPage.Header);
        Assert.Equal(0x206, ZeroPage.Version);
        Assert.Equal(0x210, ZeroPage.TypeOfLoader);
        Assert.Equal(0x211, ZeroPage.LoadFlags);
        Assert.Equal(0x214, ZeroPage.Code32Start);
        Assert.Equal(0x218, ZeroPage.RamdiskImage);
        Assert.Equal(0x21C, ZeroPage.RamdiskSize);
        Assert.Equal(0x224, ZeroPage.HeapEndPtr);
        Assert.Equal(0x228, ZeroPage.CmdLinePtr);
        Assert.Equal(0x22C, ZeroPage.InitrdAddrMax);
        Assert.Equal(0x230, ZeroPage.KernelAlignment);
        Assert.Equal(0x234, ZeroPage.RelocatableKernel);
        Assert.Equal(0x236, ZeroPage.XLoadFlags);
        Assert.Equal(0x238, ZeroPage.CmdlineSize);
        Assert.Equal(0x258, ZeroPage.PrefAddress);
        Assert.Equal(0x260, ZeroPage.InitSize);
    }

    [Fact]
    public void TheKernelsHeaderIsCopiedAndOurFieldsWritten()
    {
        var bytes = new BzImageBuilder().Build();
        using var k = KernelImage.Open(_files.Write(bytes));
        using var mem = new GuestMemory(64 << 20);
        mem.Slice(Layout.BootParams, 0x1000).Fill(0xAB); // a previous boot's zero page
        BootLoader.Load(mem, k, null, "console=ttyS0 root=/dev/vda", 1, PciIntx.GsiFor);
        var zp = mem.Slice(Layout.BootParams, 0x1000).ToArray();

        // Everything but hdr and the fields we own is zero, including the sentinel (0x1EF is 0xFF in the file).
        Assert.Equal(0, zp[0x1EF]);
        Assert.Equal(Layout.AcpiTables, BitConverter.ToUInt64(zp, 0x070)); // acpi_rsdp_addr: where the RSDP is
        zp.AsSpan(0x070, 8).Clear();
        Assert.All(zp[..0x1E8], b => Assert.Equal(0, b));
        // hdr is the file's bytes [0x1F1, 0x26C), except what the loader writes.
        int[] written = [0x210, 0x211, 0x214, 0x215, 0x216, 0x217, 0x224, 0x225, 0x228, 0x229, 0x22A, 0x22B];
        for (int i = 0x1F1; i < 0x26C; i++)
            if (!written.Contains(i)) Assert.True(bytes[i] == zp[i], $"hdr byte 0x{i:x} differs");
        Assert.Equal(0, zp[0x26C]); // nothing past the header's end
        Assert.Equal(0xFF, zp[0x210]);                                   // type_of_loader: undefined
        Assert.Equal(0x01, zp[0x211]);                                   // LOADED_HIGH, CAN_USE_HEAP clear
        Assert.Equal(0x100_0000u, BitConverter.ToUInt32(zp, 0x214));     // code32_start = load address
        Assert.Equal(0, BitConverter.ToUInt16(zp, 0x224));               // heap_end_ptr: no real-mode heap
        Assert.Equal((uint)Layout.CmdLine, BitConverter.ToUInt32(zp, 0x228));
        Assert.Equal(0u, BitConverter.ToUInt32(zp, 0x0C8));              // ext_cmd_line_ptr
        Assert.Equal(0u, BitConverter.ToUInt32(zp, 0x218));              // no initrd
        Assert.Equal(0u, BitConverter.ToUInt32(zp, 0x21C));
        Assert.Equal("console=ttyS0 root=/dev/vda\0"u8.ToArray(), mem.Slice(Layout.CmdLine, 28).ToArray());
    }

    [Fact]
    public void CommandLineIsUtf8AndNulTerminatedOverWhateverWasThere()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        using var mem = new GuestMemory(64 << 20);
        mem.Slice(Layout.CmdLine, Layout.CmdLineMax).Fill((byte)'z');
        var plan = BootLoader.Load(mem, k, null, "hostname=café", 1, PciIntx.GsiFor);
        Assert.Equal(14, plan.CmdLineLength);
        Assert.Equal("hostname=café\0\0"u8.ToArray(), mem.Slice(Layout.CmdLine, 16).ToArray());
    }

    [Fact]
    public void AnEmptyCommandLineStillGetsAPointer()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        using var mem = new GuestMemory(64 << 20);
        BootLoader.Load(mem, k, null, "", 1, PciIntx.GsiFor);
        Assert.Equal((uint)Layout.CmdLine, mem.Read<uint>(Layout.BootParams + 0x228));
        Assert.Equal(0, mem.Read<byte>(Layout.CmdLine));
    }

    [Theory]
    [InlineData(2047, 2047, true)]
    [InlineData(2047, 2048, false)]
    [InlineData(255, 256, false)]
    [InlineData(0x7FFF_FFFF, 0xFFFF, true)]   // an absurd cmdline_size is capped by our buffer
    [InlineData(0x7FFF_FFFF, 0x10000, false)]
    public void CommandLineLengthIsChecked(uint cmdlineSize, int length, bool fits)
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder { CmdlineSize = cmdlineSize }.Build()));
        using var mem = new GuestMemory(64 << 20);
        var line = new string('a', length);
        if (fits)
        {
            BootLoader.Load(mem, k, null, line, 1, PciIntx.GsiFor);
            Assert.Equal(0, mem.Read<byte>(Layout.CmdLine + (ulong)length));
        }
        else
        {
            var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, line, 1, PciIntx.GsiFor));
            Assert.Equal(ErrorId.InvalidArgument, e.Id);
            Assert.Contains($"{length} bytes", e.Message);
        }
    }

    [Fact]
    public void ANulInsideTheCommandLineIsRefused()
    {
        using var k = KernelImage.Open(_files.Write(new BzImageBuilder().Build()));
        using var mem = new GuestMemory(64 << 20);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "a\0b", 1, PciIntx.GsiFor));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
    }
}
