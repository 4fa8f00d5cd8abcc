using LguestPS.Contract;

namespace LguestPS.Engine.Vmm;

/// <summary>Why the VM stopped: a reason from the contract's exit table, and one line a user can act on.</summary>
public sealed record VmExit(ExitReason Reason, string Message)
{
    /// <summary>The process exit code for this exit.</summary>
    public int Code => Reason.Code;

    /// <summary>Exits that a reboot policy may turn into a restart.</summary>
    public bool IsReboot => Reason == ExitReason.Reboot || Reason == ExitReason.TripleFault;

    /// <summary>For a reboot, the reason word of the `reboot` event.</summary>
    public string RebootCause => Reason == ExitReason.TripleFault ? Events.Reboot.Reasons.TripleFault : Events.Reboot.Reasons.Reset;
}
