using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using LguestPS.Guest;

namespace LguestPS.Commands;

/// <summary>
/// Invoke-LguestVmCommand: runs a shell command in running guests over their
/// console, with no agent and no network (PowerShell Direct's Invoke-Command
/// -VMName, for Linux guests), and returns each one's output and exit code.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LguestVmCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestCommandResult))]
public sealed class InvokeLguestVmCommandCommand : GuestCmdletBase
{
    private readonly List<LguestVm> _vms = new();

    /// <summary>The shell command (any POSIX shell text, several lines allowed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = null!;

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
            if (ShouldProcess(vm.Name, $"Run '{GuestCommand.Abbreviate(Command)}'")) _vms.Add(vm);
    }

    /// <summary>The VMs run the command at the same time; results come out in the order the VMs were given.</summary>
    protected override void EndProcessing()
    {
        var runs = _vms.Select(vm => (vm, Task.Run(() => GuestCommand.Invoke(vm, Command, Timeout, Cancel)))).ToList();
        foreach (var (vm, run) in runs)
        {
            LguestCommandResult result;
            try
            {
                result = run.GetAwaiter().GetResult();
            }
            catch (LguestException e)
            {
                WriteLguestError(e, e.Target ?? vm);
                continue;
            }
            catch (System.OperationCanceledException)
            {
                return; // Ctrl+C: PowerShell is stopping the pipeline
            }
            WriteObject(result);
            if (result.OutputTruncated)
                WriteWarning($"VM '{vm.Name}': the command printed more than {GuestCommand.OutputLimitChars} characters; the rest was dropped.");
            if (result.ExitCode != 0) WriteLguestError(GuestCommand.Failed(result), result);
        }
    }
}
