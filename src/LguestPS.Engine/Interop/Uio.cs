using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/// <summary>
/// sys/uio.h: readv(2) and writev(2) (Glibc binds them; Tmds.LibC has only the iovec). The result is checked
/// but not thrown: bytes moved, or -errno, because on the network's hot path EAGAIN (nothing waiting) and
/// EINVAL (a guest's bad header, refused by the tap) are answers the caller acts on, not failures of ours.
/// </summary>
public static class Uio
{
    /// <summary>UIO_MAXIOV: the most iovecs one call takes.</summary>
    public const int IOV_MAX = 1024;
    // SAFETY: the caller's iovec array holds count entries, each describing memory it has pinned or checked
    // (GuestIoVec: slices of guest RAM through the gate, and a pinned spill span).
    public static unsafe long readv(SafeFd fd, iovec* iov, int count)
    {
        long n;
        while ((n = Glibc.readv(fd.Fd, iov, count)) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        return n < 0 ? -Marshal.GetLastPInvokeError() : n;
    }

    // SAFETY: as readv; the kernel only reads the described memory.
    public static unsafe long writev(SafeFd fd, iovec* iov, int count)
    {
        long n;
        while ((n = Glibc.writev(fd.Fd, iov, count)) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        return n < 0 ? -Marshal.GetLastPInvokeError() : n;
    }
}
