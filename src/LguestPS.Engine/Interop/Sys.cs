using System.Runtime.InteropServices;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * Thin, checked wrappers over the system calls the engine needs. Each one
 * either succeeds or throws a SysException naming the operation and errno,
 * save the few whose failure the caller answers itself (Pread and Pwrite:
 * -1 becomes the guest's IOERR; Read and WriteAll on stdio: a closed stdin
 * or stdout is nobody's failure). Pointers stay in here: callers pass spans, structs
 * by ref, or addresses of mappings this layer made.
 */
public static class Sys
{
    public static SysException Fail(string operation) => new(operation, errno);

    /// <summary>The errno Read, Pread or Pwrite left when they returned -1: those leave the answer to their caller.</summary>
    public static int LastErrno => errno;

    /// <summary>The errno a Glibc call (SetLastError) left; Tmds.LibC's calls leave theirs in errno.</summary>
    private static int GlibcErrno => Marshal.GetLastPInvokeError();

    // SAFETY: strerror_r writes at most 256 bytes, NUL included, into the 256-byte stack buffer it is given.
    public static unsafe string StrError(int err)
    {
        byte* buf = stackalloc byte[256];
        // The XSI strerror_r fills buf; the GNU one may return a static string. Tmds binds the XSI one.
        if (strerror_r(err, buf, 256) != 0) return $"error {err}";
        return Marshal.PtrToStringUTF8((nint)buf) ?? $"error {err}";
    }

    // SAFETY: the path is a NUL-terminated copy pinned for the call; open(2) only reads it.
    public static unsafe SafeFd Open(string path, int flags, string what)
    {
        int fd;
        byte[] p = ByteString.NulTerminated(path);
        fixed (byte* pp = p)
        {
            do fd = open(pp, flags | O_CLOEXEC, 0); while (fd < 0 && errno == EINTR);
        }
        if (fd < 0) throw new SysException($"open {what} '{path}'", errno);
        return new SafeFd(fd);
    }

    public static long FileSize(SafeFd fd, string what) => Stat(fd, $"fstat {what}").st_size;

    public static bool IsRegularFile(SafeFd fd) => ((uint)Stat(fd, "fstat").st_mode & 0xF000) == 0x8000; // S_IFREG

    // SAFETY: fstat(2) fills the struct stat local whose address it gets, and nothing else.
    private static unsafe stat Stat(SafeFd fd, string what)
    {
        stat st;
        if (fstat(fd.Fd, &st) != 0) throw Fail(what);
        return st;
    }

    /// <summary>Reads exactly len bytes at offset into memory at dest, or throws (a short read means a truncated file).</summary>
    // SAFETY: the caller owns [dest, dest+len) (GuestMemory hands a range it has checked against its mapping);
    // each pread writes at most chunk bytes at the cursor, and the cursor never passes dest+len.
    public static unsafe void PreadExact(SafeFd fd, nint dest, ulong len, long offset)
    {
        byte* p = (byte*)dest;
        while (len > 0)
        {
            ulong chunk = Math.Min(len, 1UL << 30);
            long n = pread(fd.Fd, p, (size_t)chunk, offset);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Fail("pread");
            if (n == 0) throw new EngineException(ErrorId.InternalError, $"unexpected end of file at offset {offset}");
            p += n; offset += n; len -= (ulong)n;
        }
    }

    // SAFETY: the span is pinned for the call and its length is what PreadExact may fill.
    public static unsafe void PreadExact(SafeFd fd, Span<byte> dest, long offset)
    {
        fixed (byte* p = dest) PreadExact(fd, (nint)p, (ulong)dest.Length, offset);
    }

    /// <summary>Writes all of buf to fd (stdout and stderr can take partial writes).</summary>
    // SAFETY: the span is pinned for the loop; each write reads at most the bytes left after the cursor.
    public static unsafe void WriteAll(int fd, ReadOnlySpan<byte> buf)
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

    /// <summary>read(2) into a span (one call; returns bytes read, 0 at end of file, -1 on error).</summary>
    // SAFETY: the span is pinned for the call and read(2) writes at most its length.
    public static unsafe long Read(int fd, Span<byte> dest)
    {
        long n;
        fixed (byte* p = dest)
            do n = read(fd, p, (size_t)(ulong)dest.Length); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>pread into a span (one call; returns bytes read, 0 at end of file, -1 on error).</summary>
    // SAFETY: the span is pinned for the call and pread(2) writes at most its length.
    public static unsafe long Pread(SafeFd fd, Span<byte> dest, long offset)
    {
        long n;
        fixed (byte* p = dest)
            do n = pread(fd.Fd, p, (size_t)(ulong)dest.Length, offset); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>pwrite from a span (one call; returns bytes written or -1).</summary>
    // SAFETY: the span is pinned for the call and pwrite(2) reads at most its length.
    public static unsafe long Pwrite(SafeFd fd, ReadOnlySpan<byte> src, long offset)
    {
        long n;
        fixed (byte* p = src)
            do n = pwrite(fd.Fd, p, (size_t)(ulong)src.Length, offset); while (n < 0 && errno == EINTR);
        return n;
    }

    /// <summary>Fills dest (or its start: the kernel may return fewer bytes) from the kernel's entropy pool (getrandom(2)).</summary>
    // SAFETY: the span is pinned for the call and getrandom(2) writes at most its length.
    public static unsafe long GetRandom(Span<byte> dest)
    {
        long n;
        fixed (byte* p = dest)
            while ((n = Glibc.getrandom(p, (nuint)dest.Length, 0)) < 0 && GlibcErrno == EINTR) { }
        if (n < 0) throw new SysException("getrandom", GlibcErrno);
        return n;
    }

    /// <summary>flock(2) without waiting: false if another process holds a conflicting lock.</summary>
    public static bool TryLock(SafeFd fd, bool exclusive)
    {
        const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;
        long r;
        do r = Glibc.flock(fd.Fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB); while (r < 0 && GlibcErrno == EINTR);
        if (r == 0) return true;
        if (GlibcErrno == EWOULDBLOCK) return false;
        throw new SysException("flock", GlibcErrno);
    }

    /// <summary>A private anonymous mapping, reserved lazily (MAP_NORESERVE); its address, for the caller to own.</summary>
    // SAFETY: no memory is touched here; the kernel chooses the address (null hint) and we only return it.
    public static unsafe nint MapAnonymous(ulong size, string what)
    {
        void* p = mmap(null, (size_t)size, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            throw new EngineException(ErrorId.MemoryTooLarge,
                $"cannot map {size >> 20} MiB of {what}: {StrError(errno)}; ask for less memory");
        return (nint)p;
    }

    // SAFETY: as MapAnonymous: the kernel picks the address, and only the caller will use it.
    public static unsafe nint MapShared(SafeFd fd, ulong size, string what)
    {
        void* p = mmap(null, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.Fd, 0);
        if (p == MAP_FAILED) throw Fail($"mmap {what}");
        return (nint)p;
    }

    // SAFETY: addr and size are a whole mapping this layer returned; its owner unmaps it once and forgets it.
    public static unsafe void Unmap(nint addr, ulong size)
    {
        if (munmap((void*)addr, (size_t)size) != 0) throw Fail("munmap");
    }

    // SAFETY: addr and size lie inside a private anonymous mapping we own; MADV_DONTNEED only zeroes it.
    public static unsafe void DiscardPages(nint addr, ulong size)
    {
        if (madvise((void*)addr, (size_t)size, MADV_DONTNEED) != 0) throw Fail("madvise(MADV_DONTNEED)");
    }

    /// <summary>mincore(2) over pages of our own mapping: one byte per page, bit 0 set where the page is resident.</summary>
    // SAFETY: the caller passes a page-aligned range of a mapping it owns and a vector of at least len / 4096 bytes,
    // pinned for the call.
    public static unsafe void Mincore(nint addr, ulong len, Span<byte> vec)
    {
        if ((ulong)vec.Length < len / 4096) throw new ArgumentException("mincore vector too short", nameof(vec));
        fixed (byte* v = vec)
            if (mincore((void*)addr, (size_t)len, v) != 0) throw Fail("mincore");
    }

    /// <summary>gettid(2): this thread's id (it cannot fail).</summary>
    public static int GetTid() => Glibc.gettid();

    /// <summary>tgkill(2): a signal to one thread of a process. A thread that has already exited is no error.</summary>
    public static void TgKill(int tgid, int tid, int signal)
    {
        if (Glibc.tgkill(tgid, tid, signal) < 0 && GlibcErrno != ESRCH) throw new SysException("tgkill", GlibcErrno);
    }

    /// <summary>PR_SET_PDEATHSIG: the signal this process gets when the thread that started it ends.</summary>
    public static void SetParentDeathSignal(int signal)
    {
        const int PR_SET_PDEATHSIG = 1;
        if (Glibc.prctl(PR_SET_PDEATHSIG, (ulong)signal, 0, 0, 0) != 0) throw new SysException("prctl(PR_SET_PDEATHSIG)", GlibcErrno);
    }

    private static SafeFd? s_status;

    /// <summary>Opens /proc/self/status for <see cref="PeakRssKiB"/> while opening files is still allowed (before --sandbox).</summary>
    public static void KeepStatusOpen()
    {
        try { s_status ??= Open("/proc/self/status", O_RDONLY, "the process status"); }
        catch (SysException) { } // no /proc: PeakRssKiB falls back to getrusage
    }

    /// <summary>
    /// This process's peak resident set in KiB: VmHWM from /proc/self/status, re-read through the descriptor
    /// <see cref="KeepStatusOpen"/> kept (pread regenerates the file), so it works under the sandbox. Not getrusage's
    /// ru_maxrss unless there is no such descriptor: Linux carries ru_maxrss across execve, so an engine spawned by a
    /// large process (.NET spawns with vfork) reports the parent's resident set at the spawn as its own peak (118 MiB
    /// under a test host, for a run whose VmHWM was 31.7 MiB).
    /// </summary>
    // SAFETY: struct rusage is two struct timevals (4 longs) then 14 longs; ru_maxrss is long 4.
    public static unsafe ulong PeakRssKiB()
    {
        if (s_status is { } fd)
        {
            Span<byte> text = stackalloc byte[4096];
            long n = Pread(fd, text, 0);
            if (n > 0 && StatusKiB(text[..(int)n], "VmHWM:"u8) is ulong kib) return kib;
        }
        long* usage = stackalloc long[18];
        if (Glibc.getrusage(0 /* RUSAGE_SELF */, usage) != 0) throw new SysException("getrusage", GlibcErrno);
        return (ulong)usage[4];
    }

    /// <summary>The number of a "<paramref name="key"/>   123 kB" line of /proc/&lt;pid&gt;/status; null when absent.</summary>
    public static ulong? StatusKiB(ReadOnlySpan<byte> status, ReadOnlySpan<byte> key)
    {
        int at = status.IndexOf(key);
        if (at < 0 || (at > 0 && status[at - 1] != (byte)'\n')) return null;
        var rest = status[(at + key.Length)..].TrimStart(" \t"u8);
        ulong value = 0;
        int digits = 0;
        for (; digits < rest.Length && rest[digits] is >= (byte)'0' and <= (byte)'9'; digits++)
            value = value * 10 + (ulong)(rest[digits] - '0');
        return digits > 0 ? value : null;
    }

    /// <summary>getppid(2): the process that is our parent now (it cannot fail).</summary>
    public static int ParentPid() => getppid();

    /// <summary>setpgid(0, 0): a process group of our own, led by us (EPERM: we lead a session, so a group already).</summary>
    public static void LeaveProcessGroup()
    {
        if (setpgid(0, 0) != 0 && errno != EPERM) throw Fail("setpgid");
    }

    /// <summary>fdatasync(2): the file's data (and the metadata needed to read it back) on stable storage.</summary>
    public static void FdataSync(SafeFd fd, string what)
    {
        int r;
        do r = fdatasync(fd.Fd); while (r < 0 && errno == EINTR);
        if (r < 0) throw Fail($"fdatasync {what}");
    }

    /// <summary>An ioctl on a buffer the caller built (variable-length KVM structs); it must be what the request says.</summary>
    // SAFETY: the caller pins arg for the call and sizes it for the request (GsiRouting, KvmVcpu's MSR and CPUID lists).
    public static unsafe int Ioctl(SafeFd fd, uint request, void* arg, string what)
    {
        int r;
        do r = ioctl(fd.Fd, unchecked((int)request), arg); while (r < 0 && errno == EINTR);
        if (r < 0) throw Fail(what);
        return r;
    }

    /// <summary>An ioctl whose argument is a struct we own: pinned for the call, so no caller handles a pointer.</summary>
    // SAFETY: arg is pinned by fixed for the whole call and T is unmanaged, so the kernel reads and writes
    // exactly sizeof(T) bytes of it (the request's size field says so; Ioc computes it from T).
    public static unsafe int Ioctl<T>(SafeFd fd, uint request, ref T arg, string what) where T : unmanaged
    {
        fixed (T* p = &arg) return Ioctl(fd, request, p, what);
    }

    /// <summary>An ioctl whose argument is a number, not an address (KVM_CREATE_VCPU's id, KVM_SET_TSS_ADDR's address).</summary>
    // SAFETY: for these requests the kernel reads arg as a value and never dereferences it.
    public static unsafe int Ioctl(SafeFd fd, uint request, ulong arg, string what) => Ioctl(fd, request, (void*)arg, what);
}
