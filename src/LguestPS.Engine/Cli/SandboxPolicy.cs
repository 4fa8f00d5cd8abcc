namespace LguestPS.Engine.Cli;

/// <summary>
/// The system calls --sandbox allows (Sandbox), x86-64 numbers, by what needs them. Derived from
/// tools/sandbox-trace.sh; a test checks the numbers against asm/unistd_64.h.
/// </summary>
public static class SandboxPolicy
{
    public static readonly (string Name, int Number)[] Allowed =
    [
        // KVM and the devices: ioctls on the VM, vCPU and tap descriptors; reads and writes on disks, taps, eventfds and stdio.
        ("ioctl", 16), ("read", 0), ("write", 1), ("readv", 19), ("writev", 20), ("pread64", 17), ("pwrite64", 18),
        ("preadv", 295), ("pwritev", 296), ("lseek", 8), ("fstat", 5), ("newfstatat", 262), ("fdatasync", 75),
        ("fsync", 74), ("fcntl", 72), ("close", 3),
        // Device workers and the console: waiting on descriptors, and the eventfds and epoll sets a device makes when the guest starts it.
        ("epoll_wait", 232), ("epoll_pwait", 281), ("epoll_ctl", 233), ("epoll_create1", 291), ("eventfd2", 290),
        ("poll", 7), ("ppoll", 271), ("pipe2", 293),
        // Threads (the vCPUs of each boot, device workers, the runtime's own) and their ends.
        ("clone", 56), ("clone3", 435), ("set_robust_list", 273), ("rseq", 334), ("prctl", 157), ("exit", 60),
        ("exit_group", 231), ("gettid", 186), ("getpid", 39), ("getppid", 110), ("tgkill", 234),
        ("sched_getaffinity", 204), ("sched_yield", 24),
        // Memory: the runtime's heap and stacks.
        ("mmap", 9), ("munmap", 11), ("mprotect", 10), ("madvise", 28), ("mremap", 25), ("brk", 12),
        ("membarrier", 324), ("mincore", 27),
        // Time, waiting and signals (PosixSignalRegistration, the vCPU kick, the SIGSYS reporter itself).
        ("futex", 202), ("clock_gettime", 228), ("clock_nanosleep", 230), ("nanosleep", 35), ("rt_sigreturn", 15),
        ("rt_sigprocmask", 14), ("rt_sigaction", 13), ("sigaltstack", 131), ("restart_syscall", 219),
        // The control channel (--control): accepting a client on the listening socket made before the filter,
        // its credentials, one message each way. No socket can be made or connected.
        ("accept4", 288), ("getsockopt", 55), ("recvfrom", 45), ("sendto", 44),
        // Odds and ends: entropy for the rng device, the exit statistics, the GC's memory figures (sysinfo when
        // /proc/meminfo cannot be opened).
        ("getrandom", 318), ("getrusage", 98), ("sysinfo", 99),
    ];

    /// <summary>
    /// Calls that fail with EACCES instead of ending the engine. The runtime's GC asks for the machine's memory
    /// figures when it sizes a collection, at moments of its own: it opens /proc/meminfo (then falls back to
    /// sysinfo) and reads RLIMIT_AS (prlimit64), and copes with a refusal of either. Seen on a SIGTERM after
    /// reboots under nested KVM. Nothing can be opened and no limit read or changed: the sandbox still holds.
    /// </summary>
    public static readonly (string Name, int Number)[] Refused =
        [("open", 2), ("openat", 257), ("openat2", 437), ("getrlimit", 97), ("prlimit64", 302),
         // The control socket's unlink at exit: the module removes the socket's folder itself.
         ("unlink", 87), ("unlinkat", 263)];

    /// <summary>The filter: Allowed allowed, Refused refused with EACCES, everything else trapped.</summary>
    public static Interop.Seccomp.Instruction[] Program() =>
        Interop.Seccomp.Allowlist(Allowed.Select(c => c.Number), Refused.Select(c => c.Number));
}
