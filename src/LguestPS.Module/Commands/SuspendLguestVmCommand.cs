using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Suspend-LguestVm: freezes running VMs (every vCPU and the guest's clock) until Resume-LguestVm.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class SuspendLguestVmCommand : ControlLguestVmCmdletBase
{
    private protected override string Action => "Suspend VM";
    private protected override void Do(VmRun run) => run.Pause();
}
