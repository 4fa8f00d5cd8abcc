using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Resume-LguestVm: runs suspended VMs again, the guest's clock going on from where it stopped.</summary>
[Cmdlet(VerbsLifecycle.Resume, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class ResumeLguestVmCommand : ControlLguestVmCmdletBase
{
    private protected override string Action => "Resume VM";
    private protected override void Do(VmRun run) => run.Resume();
}
