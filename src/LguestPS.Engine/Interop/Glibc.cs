using System.Runtime.InteropServices;
using Tmds.Linux;

namespace LguestPS.Engine.Interop;

/*
 * The few C library functions Tmds.LibC does not bind, declared as glibc
 * declares them (sys/uio.h, sys/random.h, sys/file.h, unistd.h, signal.h). Calling the C
 * library rather than syscall(2) with a number keeps errno handling in one
 * place (SetLastError) and the numbers out of our code. Raw results: Sys
 * and Uio wrap each one and check it.
 */
internal static class Glibc
{
    private const string Lib = "libc";

    [DllImport(Lib, SetLastError = true)]
    // SAFETY: callers (Uio) pass iovcnt entries, each describing memory they have pinned or checked.
    internal static extern unsafe nint readv(int fd, iovec* iov, int iovcnt);

    [DllImport(Lib, SetLastError = true)]
    // SAFETY: as readv; the kernel only reads the memory described.
    internal static extern unsafe nint writev(int fd, iovec* iov, int iovcnt);

    [DllImport(Lib, SetLastError = true)]
    // SAFETY: callers (Sys.GetRandom) pass a pinned buffer of buflen bytes.
    internal static extern unsafe nint getrandom(void* buf, nuint buflen, uint flags);

    [DllImport(Lib, SetLastError = true)]
    internal static extern int flock(int fd, int operation);

    [DllImport(Lib)]
    internal static extern int gettid();

    [DllImport(Lib, SetLastError = true)]
    internal static extern int tgkill(int tgid, int tid, int sig);
}
