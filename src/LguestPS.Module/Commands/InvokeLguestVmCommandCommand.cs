using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
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
public sealed class InvokeLguestVmCommandCommand : LguestCmdletBase
{
    private readonly List<LguestVm> _vms = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The names of the VMs to run the command in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMName, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs to run the command in, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>The shell command (any POSIX shell text, several lines allowed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = null!;

    /// <summary>Seconds the command may take, waiting for the guest's shell included; -1 (the default) waits as long as it takes.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    protected override void ProcessRecord()
    {
        var vms = ParameterSetName == ParameterSets.VM ? CheckObjects(VM) : ResolveNames(VMName);
        foreach (var vm in vms)
            if (ShouldProcess(vm.Name, $"Run '{GuestCommand.Abbreviate(Command)}'")) _vms.Add(vm);
    }

    /// <summary>The VMs run the command at the same time; results come out in the order the VMs were given.</summary>
    protected override void EndProcessing()
    {
        var runs = _vms.Select(vm => (vm, Task.Run(() => GuestCommand.Invoke(vm, Command, Timeout, _stopping.Token)))).ToList();
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

    /// <summary>Ctrl+C: the guests' commands are interrupted too, and the consoles left at their prompts.</summary>
    protected override void StopProcessing() => _stopping.Cancel();
}
