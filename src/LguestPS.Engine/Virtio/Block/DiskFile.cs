using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Virtio.Block;

/*L:550
 * The file behind a disk, and everything about it that is the host's
 * business rather than the guest's: how it is opened (so that a FIFO cannot
 * stall us, see HostFile), who else may use it (DiskLock), and what happens
 * when the host changes it under the guest's feet.
 *
 * The guest was promised Capacity bytes when it started, but the file is
 * the host's: someone may truncate it while the VM runs. pwrite(2) past the
 * end of a file quietly grows it again, which would undo what the host did
 * (and fill a disk the host just freed), so a write first asks the kernel
 * how long the file is *now* and refuses what lies past that end; a read
 * that meets the end early is refused too, rather than answered with zeros
 * the guest would take for data. Either way the guest gets an I/O error, and
 * the host one line saying why, once. (A truncate that lands between our
 * fstat and our pwrite still loses that one race: no lock stops truncate(2).)
 * Host I/O errors, a full file system above all, are said once per disk and
 * errno as well: a guest retrying a failing write must not flood stderr.
 */
public sealed class DiskFile : IDisposable
{
    public const int SectorSize = Limits.SectorSize;

    private readonly SafeFd _fd;
    private readonly HashSet<int> _said = new(); // errnos (and ShrankMark) already reported
    private const int ShrankMark = -1;

    public string Path { get; }
    public bool ReadOnly { get; }
    /// <summary>The size the guest was given, in bytes (the file's size at start, a multiple of 512).</summary>
    public ulong Capacity { get; }
    /// <summary>Which file this is (device and inode), whatever path named it.</summary>
    public FileFacts Identity { get; }
    /// <summary>Where the once-only host lines go (stderr's warnings; a test listens here).</summary>
    public Action<string> Warn { get; set; } = Log.Warning;

    private DiskFile(string path, SafeFd fd, bool readOnly, FileFacts facts)
    {
        Path = path;
        _fd = fd;
        ReadOnly = readOnly;
        Identity = facts;
        Capacity = (ulong)facts.Size;
    }

    /// <summary>Opens, checks and locks a disk image; every problem is one clear line, and the file is left untouched.</summary>
    public static DiskFile Open(string path, bool readOnly, IEnumerable<DiskFile> others)
    {
        SafeFd fd;
        FileFacts facts;
        try { fd = HostFile.Open(path, readOnly ? O_RDONLY : O_RDWR, "disk image", out facts); }
        catch (SysException e) { throw OpenFailed(path, readOnly, e.Errno); }
        try
        {
            if (facts.Kind != FileKind.Regular)
                throw NotAnImage(path, facts.Kind);
            if (facts.Size % SectorSize != 0)
                throw new EngineException(ErrorId.DeviceInvalid,
                    $"--block={path}: its size ({facts.Size} bytes) is not a multiple of 512; a disk is made of 512-byte sectors");
            // Before the locks: our own second open of the file would conflict with our first, and
            // "another VM is using this disk" would send the user looking for a VM that is not there.
            if (others.FirstOrDefault(o => o.Identity.SameFileAs(facts)) is { } same)
                throw new EngineException(ErrorId.InvalidArgument,
                    $"--block={path} is the same file as --block={same.Path}: give each disk once");
            if (!DiskLock.TryAcquire(fd, readOnly))
                throw new EngineException(ErrorId.DiskInUse, readOnly
                    ? $"--block={path},ro: another program (a VM: lguest, QEMU...) is writing to this disk; stop it first"
                    : $"--block={path}: another program (a VM: lguest, QEMU...) is using this disk; stop it first, " +
                      $"or if neither of you writes to it, give it as --block={path},ro");
            return new DiskFile(path, fd, readOnly, facts);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static EngineException OpenFailed(string path, bool readOnly, int errno) => errno switch
    {
        2 or 20 /* ENOENT, ENOTDIR */ => new(ErrorId.DeviceInvalid, $"--block={path}: no such file; create it first (e.g. truncate -s 64M {path})"),
        21 /* EISDIR */ => NotAnImage(path, FileKind.Directory),
        6 /* ENXIO: a socket, or a device node with nothing behind it */ when HostFile.KindOf(path) is { } kind => NotAnImage(path, kind),
        1 or 13 or 30 /* EPERM, EACCES, EROFS */ => new(ErrorId.PermissionDenied,
            $"--block={path}: no permission to open it {(readOnly ? "for reading" : "for reading and writing")}" +
            (readOnly ? "" : $"; use --block={path},ro for a read-only disk")),
        _ => new(ErrorId.DeviceInvalid, $"--block={path}: cannot open it: {Sys.StrError(errno)}"),
    };

    private static EngineException NotAnImage(string path, FileKind kind) =>
        new(ErrorId.DeviceInvalid, $"--block={path}: that is {HostFile.Describe(kind)}; give a disk image file " +
                                   $"(a regular file, e.g. made with truncate -s 64M disk.img)");

    /// <summary>Reads at offset; returns the bytes read (at least 1), or false (said once) if the file cannot give them.</summary>
    public bool TryRead(Span<byte> dest, long offset, out long read)
    {
        read = Sys.Pread(_fd, dest, offset);
        if (read > 0) return true;
        if (read == 0) Shrank(offset + dest.Length);
        else SayOnce(Sys.LastErrno, "read");
        return false;
    }

    /// <summary>
    /// True if [offset, offset+length) still lies inside the file: one fstat per write request, so that a
    /// file the host shrank is never grown back by the guest.
    /// </summary>
    public bool StillHolds(long offset, long length)
    {
        long size;
        try { size = HostFile.Stat(_fd, "disk image").Size; }
        catch (SysException e) { SayOnce(e.Errno, "fstat"); return false; }
        if (offset + length <= size) return true;
        Shrank(offset + length, size);
        return false;
    }

    /// <summary>Writes at offset; returns the bytes written (at least 1), or false (said once) on a host error.</summary>
    public bool TryWrite(ReadOnlySpan<byte> src, long offset, out long written)
    {
        written = Sys.Pwrite(_fd, src, offset);
        if (written > 0) return true;
        SayOnce(written < 0 ? Sys.LastErrno : ENOSPC, "write");
        return false;
    }

    /// <summary>fdatasync: true when the data is on stable storage.</summary>
    public bool TryFlush()
    {
        if (ReadOnly || _fd.IsClosed) return true;
        try
        {
            Sys.FdataSync(_fd, "disk image");
            return true;
        }
        catch (SysException e)
        {
            SayOnce(e.Errno, "flush (fdatasync)");
            return false;
        }
    }

    private void Shrank(long wanted, long? size = null)
    {
        lock (_said)
            if (!_said.Add(ShrankMark)) return;
        string now = size is { } s ? $"is now {s} bytes" : "has shrunk";
        Warn($"block: {Path} {now}, less than the {Capacity} bytes the guest was given (a request needed {wanted}): " +
                    "the guest gets I/O errors past its end and the file is not grown back");
    }

    private void SayOnce(int errno, string what)
    {
        lock (_said)
            if (!_said.Add(errno)) return;
        Warn($"block: {Path}: {what} failed: {Sys.StrError(errno)} (errno {errno}); the guest gets an I/O error " +
                    "(said once per disk and error)");
    }

    public void Dispose()
    {
        TryFlush();
        _fd.Dispose();
    }
}
