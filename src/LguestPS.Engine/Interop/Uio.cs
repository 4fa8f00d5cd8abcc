using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/// <summary>
/// sys/uio.h: readv(2) and writev(2), which Tmds.LibC lacks (it has the iovec). Raw results: bytes moved,
/// or -errno, so a hot path can tell EAGAIN from trouble without an exception.
/// </summary>
public static unsafe class Uio
{
    /// <summary>UIO_MAXIOV: the most iovecs one call takes.</summary>
    public const int IOV_MAX = 1024;
    private const int SYS_readv = 19, SYS_writev = 20;

    public static long readv(SafeFd fd, iovec* iov, int count) => Call(SYS_readv, fd, iov, count);

    public static long writev(SafeFd fd, iovec* iov, int count) => Call(SYS_writev, fd, iov, count);

    private static long Call(int nr, SafeFd fd, iovec* iov, int count)
    {
        long n;
        do n = (long)syscall(nr, fd.Fd, (syscall_arg)(void*)iov, count); while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
    }
}
