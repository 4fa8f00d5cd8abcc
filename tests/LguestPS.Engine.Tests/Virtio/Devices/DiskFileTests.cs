using System.Diagnostics;
using System.Text;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Block;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/*
 * The host's side of a disk: a file shrunk under a running guest is never
 * grown back, and host I/O errors are said once per disk and errno. These
 * drive the real BlockDevice over a real file; only the ring is fake.
 */
public sealed class DiskFileTests : IDisposable
{
    private const ulong Hdr = 0x40000, Data = 0x41000, Status = 0x200000;
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-diskfile").FullName;
    private readonly List<string> _warnings = new();

    public void Dispose() => Directory.Delete(_dir, true);

    private string Disk(long bytes, string? dir = null)
    {
        string p = Path.Combine(dir ?? _dir, "disk.img");
        using var f = File.Create(p);
        f.SetLength(bytes);
        return p;
    }

    private BlockDevice Open(string path)
    {
        var disk = BlockDevice.Open(path, readOnly: false);
        disk.File.Warn = _warnings.Add;
        return disk;
    }

    private static byte Request(DeviceHarness h, uint type, ulong sector, uint bytes)
    {
        h.Mem.Write(Hdr, new VirtioBlkOutHdr { Type = type, Sector = sector });
        h.Mem.Write<byte>(Status, 0xEE);
        bool read = type == BlockDevice.TypeIn;
        h.Serve(0, new Buf(Hdr, 16), new Buf(Data, bytes, read), new Buf(Status, 1, true));
        return h.Mem.Read<byte>(Status);
    }

    internal static unsafe void Truncate(string path, long length)
    {
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p)
            Assert.Equal(0, Tmds.Linux.LibC.truncate(pp, length));
    }

    [Fact]
    public void AFileShrunkUnderTheGuestIsNeverGrownBackAndTheHostHearsOnce()
    {
        string path = Disk(64 << 10);
        using var disk = Open(path);
        using var h = new DeviceHarness(disk);
        Assert.Equal(BlockDevice.StatusOk, Request(h, BlockDevice.TypeOut, 100, 4096)); // well inside, while it is whole
        Truncate(path, 8 << 10);                                                      // the host takes it back to 8 KiB

        Assert.Equal(BlockDevice.StatusIoErr, Request(h, BlockDevice.TypeOut, 100, 4096)); // inside capacity, past the end
        Assert.Equal(BlockDevice.StatusIoErr, Request(h, BlockDevice.TypeOut, 14, 4096));  // straddles the new end
        Assert.Equal(BlockDevice.StatusIoErr, Request(h, BlockDevice.TypeIn, 100, 4096));  // no zeros invented either
        Assert.Equal(BlockDevice.StatusOk, Request(h, BlockDevice.TypeOut, 2, 4096));      // what is left still works
        Assert.Equal(BlockDevice.StatusOk, Request(h, BlockDevice.TypeIn, 0, 8192));
        Assert.Equal(8 << 10, new FileInfo(path).Length);

        var said = Assert.Single(_warnings);
        Assert.Contains(path, said);
        Assert.Contains("is now 8192 bytes", said);
        Assert.Contains("not grown back", said);
    }

    [SkippableFact]
    public void AFullFileSystemIsIoErrToTheGuestAndOneLineToTheHost()
    {
        using var tmpfs = SmallTmpfs.Mount(_dir, 256 << 10);
        string path = Disk(4 << 20, tmpfs.Path); // sparse: 4 MiB of disk on 256 KiB of file system
        using var disk = Open(path);
        using var h = new DeviceHarness(disk);
        Assert.Equal(BlockDevice.StatusIoErr, Request(h, BlockDevice.TypeOut, 0, 512 << 10));
        Assert.Equal(BlockDevice.StatusIoErr, Request(h, BlockDevice.TypeOut, 2048, 512 << 10));
        Assert.Equal(BlockDevice.StatusOk, Request(h, BlockDevice.TypeIn, 0, 4096)); // reading still works
        Assert.Equal(4 << 20, new FileInfo(path).Length);
        var said = Assert.Single(_warnings);
        Assert.Contains("No space left on device", said);
        Assert.Contains(path, said);
    }

    /// <summary>A tmpfs of a given size, mounted for one test (root only) and unmounted after.</summary>
    private sealed class SmallTmpfs : IDisposable
    {
        public string Path { get; }
        private SmallTmpfs(string path) => Path = path;

        public static SmallTmpfs Mount(string parent, long bytes)
        {
            string dir = Directory.CreateDirectory(System.IO.Path.Combine(parent, "tmpfs")).FullName;
            bool ok = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", dir);
            Skip.IfNot(ok, "SKIPPED: cannot mount a small tmpfs here (needs root), so no file system can fill up");
            return new SmallTmpfs(dir);
        }

        private static bool Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }

        public void Dispose() => Run("umount", Path);
    }
}
