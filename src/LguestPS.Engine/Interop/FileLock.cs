using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * Byte-range locks on an open file description (fcntl F_OFD_*, Linux 3.15):
 * what QEMU's file-posix driver takes on its images. Unlike classic POSIX
 * record locks they belong to the open file, not to the process, so closing
 * some other descriptor of the same file does not drop them, and two opens of
 * one file in our own process conflict like two processes would. They vanish
 * with the last descriptor, so a kill -9 cannot leave one behind. flock(2)
 * locks are a separate family that the kernel keeps apart from these.
 */
public static class FileLock
{
    public const int F_OFD_GETLK = 36, F_OFD_SETLK = 37;
    public const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

    /// <summary>Takes a shared (read) lock on [start, start+len); false if another open file holds a write lock there.</summary>
    // SAFETY: fcntl(2) reads and writes only the struct flock local whose address it gets.
    public static unsafe bool TryLockShared(SafeFd fd, long start, long len)
    {
        var fl = new Flock { l_type = F_RDLCK, l_whence = 0 /* SEEK_SET */, l_start = start, l_len = len };
        int r;
        do r = fcntl(fd.Fd, F_OFD_SETLK, &fl); while (r < 0 && errno == EINTR);
        if (r == 0) return true;
        if (errno is 11 or 13) return false; // EAGAIN, EACCES: someone else's lock
        throw Sys.Fail("fcntl(F_OFD_SETLK)");
    }

    /// <summary>True if some other open file holds any lock on [start, start+len) (F_OFD_GETLK for a write lock).</summary>
    // SAFETY: as TryLockShared: F_OFD_GETLK fills only the local struct flock.
    public static unsafe bool IsLockedByOthers(SafeFd fd, long start, long len)
    {
        var fl = new Flock { l_type = F_WRLCK, l_whence = 0, l_start = start, l_len = len };
        if (fcntl(fd.Fd, F_OFD_GETLK, &fl) != 0) throw Sys.Fail("fcntl(F_OFD_GETLK)");
        return fl.l_type != F_UNLCK;
    }
}
