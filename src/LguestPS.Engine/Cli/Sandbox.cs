using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Cli;

/*L:730
 * The sandbox: once the machine is set up (every file, disk, tap and KVM
 * descriptor open, privileges dropped, the ready event out), the engine
 * gives up every system call it has no further use for. A guest that finds
 * a hole in a device model then holds a process that can still run KVM and
 * move bytes through the descriptors it has, and nothing else: no open, no
 * exec, no socket, no ptrace. The filter (Interop/Seccomp) is installed on
 * every thread at once, with NO_NEW_PRIVS, and is inherited by every thread
 * created later (the vCPUs of the next boot, device workers).
 *
 * The list (SandboxPolicy) is what real runs call after this point, traced
 * by tools/sandbox-trace.sh, not a guess. Opening a file or reading a
 * resource limit is refused (EACCES), not fatal: the runtime's GC does both
 * when it sizes a collection, at a moment no one chooses, and copes with
 * the refusal. A call off the list is a bug of
 * ours: the SIGSYS reporter (Native/sandbox.c) ends the engine with the
 * sandbox-violation exit (code 10), naming the call's number.
 *
 * One list for every thread: a filter is inherited by the threads a thread
 * creates, and here vCPU threads start the device workers (at the guest's
 * DRIVER_OK), so a vCPU list would have to hold everything a worker calls,
 * and the main thread's every vCPU's; the lists would be the same.
 *
 * It is on unless --no-sandbox, as Firecracker's seccomp filters are unless
 * --no-seccomp: it was opt-in (--sandbox) until the whole end-to-end suite
 * had run under it on a real KVM. The way out exists for a host whose C
 * library makes calls this one did not (the list comes from Debian 12's
 * glibc): such a call is a sandbox-violation exit that names it.
 */
public static class Sandbox
{
    /// <summary>Installs the reporter, then the filter, on every thread. Irreversible.</summary>
    public static void Enter(bool json, double secondsSinceStart)
    {
        Seccomp.ArmReporter(json, secondsSinceStart, ExitReason.SandboxViolation.Code);
        try
        {
            Seccomp.Install(SandboxPolicy.Program(), allThreads: true);
        }
        catch (SysException e)
        {
            throw new EngineException(ErrorId.PermissionDenied,
                $"the sandbox could not be set up ({e.Message}): this host's kernel or container refuses seccomp filters; " +
                "run with --no-sandbox (New-LguestVm -NoSandbox) to go without it", e);
        }
        Log.Verbose($"sandbox: seccomp allowlist of {SandboxPolicy.Allowed.Length} system calls on every thread, {SandboxPolicy.Refused.Length} refused with EACCES");
    }
}
