using System;
using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>
/// Stop-LguestVm: asks running VMs' guests to shut down (the ACPI power button, else Ctrl+Alt+Del), waits up
/// to -Timeout seconds, then turns off any that did not; -TurnOff kills the engine at once. Returns when the
/// engines are gone.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class StopLguestVmCommand : LguestVmCmdletBase
{
    /// <summary>How long a guest has to shut down after it is asked, by default.</summary>
    public const int DefaultTimeoutSeconds = 60;

    /// <summary>Pulls the plug: kills the engine at once, without asking the guest or flushing the disks.</summary>
    [Parameter]
    public SwitchParameter TurnOff { get; set; }

    /// <summary>Seconds the guest has to shut down after it is asked, before it is turned off (default 60).</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int Timeout { get; set; } = DefaultTimeoutSeconds;

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
            else if (ShouldProcess(vm.Name, TurnOff ? "Turn off VM (kill the engine)" : "Shut down VM"))
            {
                if (TurnOff) run.Stop(StopMode.Kill);
                else run.ShutDown(TimeSpan.FromSeconds(Timeout), WriteWarning); // on this thread: the warning goes down the pipeline
                WriteVerbose($"VM '{vm.Name}' stopped: {vm.ExitReason} (engine exit code {vm.ExitCode}).");
            }
            if (PassThru) WriteObject(vm);
        }
    }
}
