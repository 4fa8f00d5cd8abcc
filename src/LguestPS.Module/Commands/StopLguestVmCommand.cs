using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Stop-LguestVm: stops running VMs and returns when their engines are gone.</summary>
[Cmdlet(VerbsLifecycle.Stop, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class StopLguestVmCommand : LguestVmCmdletBase
{
    /// <summary>Pulls the plug: kills the engine at once, without flushing the disks.</summary>
    [Parameter]
    public SwitchParameter TurnOff { get; set; }

    /// <summary>Writes the VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
        {
            var run = VmRun.Of(vm);
            if (run == null || run.HasEnded)
            {
                WriteVerbose($"VM '{vm.Name}' is not running.");
            }
            else if (ShouldProcess(vm.Name, TurnOff ? "Turn off VM (kill the engine)" : "Stop VM"))
            {
                run.Stop(TurnOff ? StopMode.Kill : StopMode.Terminate);
                WriteVerbose($"VM '{vm.Name}' stopped: {vm.ExitReason} (engine exit code {vm.ExitCode}).");
            }
            if (PassThru) WriteObject(vm);
        }
    }
}
