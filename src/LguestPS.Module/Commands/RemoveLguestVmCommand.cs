using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Remove-LguestVm: takes VMs out of the session. Disk images and kernels are left alone.</summary>
[Cmdlet(VerbsCommon.Remove, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class RemoveLguestVmCommand : LguestVmCmdletBase
{
    /// <summary>Stops a running VM first instead of refusing to remove it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes each removed VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
        {
            if (vm.IsActive && !Force)
            {
                WriteLguestError(LguestErrors.Fail("VmRunning", $"VM '{vm.Name}' is {vm.State}. Stop it first, or add -Force to stop and remove it."), vm);
                continue;
            }
            if (!ShouldProcess(vm.Name, "Remove VM")) continue;
            VmRun.Of(vm)?.Stop(StopMode.Terminate);
            Registry.Remove(vm);
            if (PassThru) WriteObject(vm);
        }
    }
}
