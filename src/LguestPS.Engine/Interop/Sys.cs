using System.Runtime.InteropServices;
using System.Text;
using LguestPS.Contract;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * Thin, checked wrappers over the system calls the engine needs. Each one
 * either succeeds or throws a SysException naming the operation and errno:
 * no caller ever looks at -1.
 */
public static unsafe class Sys
{
    public static int Errno => Marshal.GetLastPInvokeError() is var e and not 0 ? e : errno;

    public static string StrError(int err)
    {
        byte* buf = stackalloc byte[256];
        // The XSI strerror_r fills buf; the GNU one may return a static string. Tmds binds the XSI one.
        if (strerror_r(err, buf, 256) != 0) return $"error {err}";
        return Marshal.PtrToStringUTF8((nint)buf) ?? $"error {err}";
    }

    public static SysException Fail(string operation) => new(operation, errno);

    public static SafeFd Open(string path, int flags, string what)
    {
        int fd;
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p)
        {
            do fd = open(pp, flags | O_CLOEXEC, 0); while (fd < 0 && errno == EINTR);
        }
        if (fd < 0) throw new SysException($"open {what} '{path}'", errno);
        return new SafeFd(fd);
    }

    public static long FileSize(SafeFd fd, string what)
    {
        stat st;
        if (fstat(fd.Fd, &st) != 0) throw Fail($"fstat {what}");
        return st.st_size;
    }

    public static bool IsRegularFile(SafeFd fd)
    {
        stat st;
        if (fstat(fd.Fd, &st) != 0) throw Fail("fstat");
        return ((uint)st.st_mode & 0xF000) == 0x8000; // S_IFREG
    }

    /// <summary>Reads exactly len bytes at offset, or throws (a short read means a truncated file).</summary>
    public static void PreadExact(SafeFd fd, byte* dest, ulong len, long offset)
    {
        while (len > 0)
        {
            ulong chunk = Math.Min(len, 1UL << 30);
            long n = pread(fd.Fd, dest, (size_t)chunk, offset);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Fail("pread");
            if (n == 0) throw new EngineException(ErrorId.InternalError, $"unexpected end of file at offset {offset}");
            dest += n; offset += n; len -= (ulong)n;
        }
    }

    public static void PreadExact(SafeFd fd, Span<byte> dest, long offset)
    {
        fixed (byte* p = dest) PreadExact(fd, p, (ulong)dest.Length, offset);
    }

    /// <summary>Writes all of buf to fd (stdout and stderr can take partial writes).</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> buf)
    {
        fixed (byte* p = buf)
        {
            byte* q = p; long left = buf.Length;
            while (left > 0)
            {
                long n = write(fd, q, (size_t)(ulong)left);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) return; // the reader went away: nothing useful to do with the bytes
                q += n; left -= n;
            }
        }
    }

    /// <summary>pread into a span (one call; returns bytes read, 0 at end of file).</summary>
    public static long Pread(SafeFd fd, Span<byte> dest, long offset)
    {
        long n;
        fixed (byte* p = dest)
            do n = pread(fd.Fd, p, (size_t)(ulong)dest.Length, offset); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>pwrite from a span (one call; returns bytes written or -1).</summary>
    public static long Pwrite(SafeFd fd, ReadOnlySpan<byte> src, long offset)
    {
        long n;
        fixed (byte* p = src)
            do n = pwrite(fd.Fd, p, (size_t)(ulong)src.Length, offset); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>Fills dest from the kernel's entropy pool (getrandom(2)); returns bytes written or -1.</summary>
    public static long GetRandom(Span<byte> dest)
    {
        long n;
        fixed (byte* p = dest)
            do n = (long)syscall(318 /* SYS_getrandom */, (syscall_arg)(void*)p, dest.Length, 0); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>flock(2) without waiting: false if another process holds a conflicting lock.</summary>
    public static bool TryLock(SafeFd fd, bool exclusive)
    {
        const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;
        long r;
        do r = (long)syscall(73 /* SYS_flock */, fd.Fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB); while (r < 0 && errno == EINTR);
        if (r == 0) return true;
        if (errno == EWOULDBLOCK) return false;
        throw Fail("flock");
    }

    public static nint MapAnonymous(ulong size, string what)
    {
        void* p = mmap(null, (size_t)size, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            throw new EngineException(ErrorId.MemoryTooLarge,
                $"cannot map {size >> 20} MiB of {what}: {StrError(errno)}; ask for less memory");
        return (nint)p;
    }

    public static nint MapShared(SafeFd fd, ulong size, string what)
    {
        void* p = mmap(null, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.Fd, 0);
        if (p == MAP_FAILED) throw Fail($"mmap {what}");
        return (nint)p;
    }

    public static void Unmap(nint addr, ulong size) => munmap((void*)addr, (size_t)size);

    public static void DiscardPages(nint addr, ulong size)
    {
        if (madvise((void*)addr, (size_t)size, MADV_DONTNEED) != 0) throw Fail("madvise(MADV_DONTNEED)");
    }

    public static int Ioctl(SafeFd fd, uint request, void* arg, string what)
    {
        int r;
        do r = ioctl(fd.Fd, unchecked((int)request), arg); while (r < 0 && errno == EINTR);
        if (r < 0) throw Fail(what);
        return r;
    }

    public static int Ioctl(SafeFd fd, uint request, ulong arg, string what) => Ioctl(fd, request, (void*)arg, what);
}
