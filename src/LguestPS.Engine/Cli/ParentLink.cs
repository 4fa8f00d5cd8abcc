using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Cli;

/*L:720
 * --parent-pid=<pid>: the engine belongs to the program that started it
 * (the PowerShell module, or any other), and must not outlive it, however
 * it ends: kill -9 runs none of its code. So the engine asks the kernel
 * itself: PR_SET_PDEATHSIG sends us SIGTERM, our ordinary clean stop, when
 * our parent goes. The kernel only does that for a parent it knows about
 * when we ask: if the program died in the few milliseconds between starting
 * us and this line, we were already handed to init, and getppid() says so.
 * The pid the program gave is how we tell the two apart, hence the check.
 *
 * Two more things follow from belonging to a program. We leave its process
 * group: a ^C typed at its terminal goes to the whole foreground group, and
 * is the program's to handle, not a VM's to die of. And a change of
 * credentials (--username) clears the death signal, so it is armed again
 * after the privilege drop.
 */
public static class ParentLink
{
    /// <summary>Arms the death signal and checks the parent; throws (InvalidArgument) if our parent is not that process.</summary>
    public static void Arm(int parentPid)
    {
        Sys.LeaveProcessGroup();
        Sys.SetParentDeathSignal(SIGTERM);
        if (!IsAlive(parentPid))
            throw new EngineException(ErrorId.InvalidArgument,
                $"--parent-pid={parentPid}: lguest's parent is process {Sys.ParentPid()}, not {parentPid} " +
                "(that program has ended, or the pid is not the one that started lguest)");
    }

    /// <summary>Arms the death signal again (after a change of credentials cleared it); false if the parent is gone meanwhile.</summary>
    public static bool Rearm(int parentPid)
    {
        Sys.SetParentDeathSignal(SIGTERM);
        return IsAlive(parentPid);
    }

    /// <summary>True while the process that started us is still our parent.</summary>
    public static bool IsAlive(int parentPid) => Sys.ParentPid() == parentPid;

    /// <summary>What the stop says when the parent's death was the SIGTERM.</summary>
    public static string Ended(int parentPid) => $"the program that started lguest (pid {parentPid}) has ended";
}
