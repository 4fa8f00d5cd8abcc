using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * Every file the user names (kernel, initrd, disks, the chroot directory) is
 * opened here, and opened so that it cannot block. A FIFO opened for reading
 * waits in open(2) until a writer comes along, and no signal handler of ours
 * runs while the runtime's thread sits in that call: `--block=<fifo>,ro` used
 * to hang a start-up that SIGTERM could not end. O_NONBLOCK makes that open
 * return at once (and means nothing for a regular file), O_NOCTTY keeps a
 * terminal named by mistake from becoming ours, and then fstat tells us what
 * we really got: the caller refuses anything but the kind it wants, by what
 * it is ("a FIFO", "a character device"), not by a vague "cannot read".
 */
public static class HostFile
{
    /// <summary>open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), then fstat. Throws SysException (with the errno) on failure.</summary>
    public static SafeFd Open(string path, int flags, string what, out FileFacts facts)
    {
        var fd = Sys.Open(path, flags | O_NONBLOCK | O_NOCTTY, what);
        try
        {
            facts = Stat(fd, what);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    // SAFETY: fstat(2) fills only the struct stat local whose address it gets.
    public static unsafe FileFacts Stat(SafeFd fd, string what)
    {
        stat st;
        if (fstat(fd.Fd, &st) != 0) throw Sys.Fail($"fstat {what}");
        return Facts(st);
    }

    /// <summary>What a path is, without opening it (stat(2) never blocks, whatever the file). Null if it cannot be looked at.</summary>
    // SAFETY: the path is a NUL-terminated copy pinned for the call, which only reads it; stat(2) fills only the local.
    public static unsafe FileKind? KindOf(string path)
    {
        stat st;
        byte[] p = ByteString.NulTerminated(path);
        fixed (byte* pp = p)
            if (stat(pp, &st) != 0) return null;
        return Facts(st).Kind;
    }

    private static FileFacts Facts(in stat st) =>
        new(Kind((uint)st.st_mode), st.st_size, st.st_dev, st.st_ino);

    public static FileKind Kind(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0x2000 => FileKind.CharDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        0xA000 => FileKind.Symlink,
        _ => FileKind.Unknown,
    };

    /// <summary>"a directory", "a FIFO (named pipe)"...: what to call it in a message.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.Symlink => "a symbolic link",
        _ => "not a regular file",
    };
}
