using System.Buffers.Binary;
using System.Diagnostics;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Block;

namespace LguestPS.Engine.Tests.Virtio.Devices;

public class BlockDeviceTests : IDisposable
{
    private const ulong Hdr = 0x40000, Data = 0x41000, Status = 0x50000;
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-blk").FullName;
    private readonly string _path;
    private readonly byte[] _content = new byte[64 * 1024];

    public BlockDeviceTests()
    {
        new Random(7).NextBytes(_content);
        _path = Path.Combine(_dir, "disk.img");
        File.WriteAllBytes(_path, _content);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    /*
     * The disk's bytes after the device is closed, read without .NET's
     * flock(LOCK_SH): a process another test forks at that moment shares the
     * disk's descriptor, and its exclusive flock, until it execs, and
     * File.ReadAllBytes would call that "used by another process".
     */
    private static byte[] ReadWithoutLocking(string path)
    {
        using var fd = HostFile.Open(path, Tmds.Linux.LibC.O_RDONLY, "disk image", out var facts);
        var bytes = new byte[facts.Size];
        Sys.PreadExact(fd, bytes, 0);
        return bytes;
    }

    private static void Header(DeviceHarness h, uint type, ulong sector)
    {
        h.Mem.Write(Hdr, new VirtioBlkOutHdr { Type = type, Sector = sector });
        h.Mem.Write<byte>(Status, 0xEE);
    }

    private static byte StatusByte(DeviceHarness h) => h.Mem.Read<byte>(Status);

    [Fact]
    public void ReadsSectorsFromTheFile()
    {
        using var disk = BlockDevice.Open(_path, readOnly: false);
        using var h = new DeviceHarness(disk);
        Header(h, BlockDevice.TypeIn, 2);
        uint used = h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 512, true), new Buf(Data + 512, 512, true), new Buf(Status, 1, true));
        Assert.Equal(BlockDevice.StatusOk, StatusByte(h));
        Assert.Equal(1025u, used);
        Assert.Equal(_content.AsSpan(1024, 1024).ToArray(), h.Bytes(Data, 1024));
        Assert.Equal([0], h.Interrupts);
    }

    [Fact]
    public void WritesReachTheFile()
    {
        using (var disk = BlockDevice.Open(_path, readOnly: false))
        using (var h = new DeviceHarness(disk))
        {
            h.Mem.Slice(Data, 512).Fill(0xAB);
            Header(h, BlockDevice.TypeOut, 5);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 512), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusOk, StatusByte(h));
            Header(h, BlockDevice.TypeFlush, 0);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusOk, StatusByte(h));
        }
        byte[] now = ReadWithoutLocking(_path);
        Assert.All(now.AsSpan(5 * 512, 512).ToArray(), b => Assert.Equal(0xAB, b));
        Assert.Equal(_content.AsSpan(0, 5 * 512).ToArray(), now.AsSpan(0, 5 * 512).ToArray());
    }

    [Theory]
    [InlineData(127UL)]               // the last sector plus one more: straddles the end
    [InlineData(128UL)]               // exactly at the end
    [InlineData(ulong.MaxValue / 512)] // sector * 512 wraps around
    [InlineData(ulong.MaxValue)]
    public void RequestsPastTheEndGetIoErrAndNeverExtendTheFile(ulong sector)
    {
        using (var disk = BlockDevice.Open(_path, readOnly: false))
        using (var h = new DeviceHarness(disk))
        {
            Header(h, BlockDevice.TypeOut, sector);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 1024), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusIoErr, StatusByte(h));
            Header(h, BlockDevice.TypeIn, sector);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 1024, true), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusIoErr, StatusByte(h));
        }
        Assert.Equal(_content, ReadWithoutLocking(_path));
    }

    [Fact]
    public void ReadOnlyDiskRefusesWritesAndSaysSo()
    {
        using (var disk = BlockDevice.Open(_path, readOnly: true))
        using (var h = new DeviceHarness(disk))
        {
            Assert.NotEqual(0UL, disk.Features & (1UL << BlockDevice.FeatureRo));
            Header(h, BlockDevice.TypeOut, 0);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 512), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusIoErr, StatusByte(h));
        }
        Assert.Equal(_content, ReadWithoutLocking(_path));
    }

    [Fact]
    public void PartialSectorsAndUnknownRequestsAreRefused()
    {
        using var disk = BlockDevice.Open(_path, readOnly: false);
        using var h = new DeviceHarness(disk);
        Header(h, BlockDevice.TypeIn, 0);
        h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 100, true), new Buf(Status, 1, true));
        Assert.Equal(BlockDevice.StatusIoErr, StatusByte(h));
        Header(h, 11 /* DISCARD */, 0);
        h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 16), new Buf(Status, 1, true));
        Assert.Equal(BlockDevice.StatusUnsupported, StatusByte(h));
    }

    [Fact]
    public void GetIdGivesAStableSerial()
    {
        string Id()
        {
            using var disk = BlockDevice.Open(_path, readOnly: true);
            using var h = new DeviceHarness(disk);
            Header(h, BlockDevice.TypeGetId, 0);
            h.Serve(0, new Buf(Hdr, 16), new Buf(Data, 20, true), new Buf(Status, 1, true));
            Assert.Equal(BlockDevice.StatusOk, StatusByte(h));
            return System.Text.Encoding.ASCII.GetString(h.Bytes(Data, 20)).TrimEnd('\0');
        }
        string id = Id();
        Assert.StartsWith("lguest-", id);
        Assert.Equal(id, Id());
    }

    [Fact]
    public void ConfigurationReportsCapacityAndSegMax()
    {
        using var disk = BlockDevice.Open(_path, readOnly: false);
        Span<byte> cfg = stackalloc byte[24];
        disk.ReadConfig(0, cfg);
        Assert.Equal((ulong)_content.Length / 512, BinaryPrimitives.ReadUInt64LittleEndian(cfg));
        Assert.Equal(254u, BinaryPrimitives.ReadUInt32LittleEndian(cfg[12..]));
        Assert.Equal(512u, BinaryPrimitives.ReadUInt32LittleEndian(cfg[20..]));
    }

    [Fact]
    public void BadFilesGetOneClearError()
    {
        var missing = Assert.Throws<EngineException>(() => BlockDevice.Open(Path.Combine(_dir, "nope.img"), false));
        Assert.Equal(ErrorId.DeviceInvalid, missing.Id);
        Assert.Contains("no such file", missing.Message);
        var dir = Assert.Throws<EngineException>(() => BlockDevice.Open(_dir, false));
        Assert.Contains("directory", dir.Message);
        string odd = Path.Combine(_dir, "odd.img");
        File.WriteAllBytes(odd, new byte[1000]);
        var size = Assert.Throws<EngineException>(() => BlockDevice.Open(odd, false));
        Assert.Contains("not a multiple of 512", size.Message);
        using var first = BlockDevice.Open(_path, false);
        var busy = Assert.Throws<EngineException>(() => BlockDevice.Open(_path, false));
        Assert.Equal(ErrorId.DiskInUse, busy.Id); // its own id: the module makes it a ResourceBusy error
        Assert.Contains("another program", busy.Message);
    }

    [SkippableFact]
    public void AFileWeMayNotWriteIsPermissionDenied()
    {
        // Root ignores file modes, so make the file immutable instead (ext4 and most disk filesystems).
        bool immutable = Process.Start("chattr", ["+i", _path])!.WaitForExitAsync().Wait(5000) && IsImmutable();
        Skip.IfNot(immutable || Tmds.Linux.LibC.geteuid() != 0, "SKIPPED: cannot make a file unwritable for root here (no chattr +i on this filesystem)");
        if (!immutable) File.SetUnixFileMode(_path, UnixFileMode.UserRead);
        try
        {
            var e = Assert.Throws<EngineException>(() => BlockDevice.Open(_path, readOnly: false));
            Assert.Equal(ErrorId.PermissionDenied, e.Id);
            Assert.Contains(",ro", e.Message);
            using var ro = BlockDevice.Open(_path, readOnly: true); // reading is still fine
        }
        finally
        {
            if (immutable) Process.Start("chattr", ["-i", _path])!.WaitForExit();
        }
    }

    private bool IsImmutable()
    {
        var p = Process.Start(new ProcessStartInfo("lsattr", [_path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 && o.Split(' ')[0].Contains('i');
    }
}
