using System.Management.Automation;
using System.Threading;
using LguestPS.Guest;

namespace LguestPS.Commands;

/// <summary>
/// Copy-LguestVmFile: copies a file into a running guest, or with -FromGuest
/// out of it, over its console shell: no agent, no network, checksummed end
/// to end (Hyper-V's Copy-VMFile, both ways).
/// </summary>
[Cmdlet(VerbsCommon.Copy, "LguestVmFile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class CopyLguestVmFileCommand : LguestCmdletBase
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The names of the VMs to copy to or from.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMName, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs to copy to or from, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>The file to copy: on the host, or with -FromGuest in the guest.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string SourcePath { get; set; } = null!;

    /// <summary>Where the copy goes: a path in the guest, or with -FromGuest on the host. An existing directory receives the file under its own name.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string DestinationPath { get; set; } = null!;

    /// <summary>Copies from the guest to the host instead.</summary>
    [Parameter]
    public SwitchParameter FromGuest { get; set; }

    /// <summary>Replaces an existing file at the destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Seconds the copy may take, waiting for the guest's shell included; -1 (the default) waits as long as it takes.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    /// <summary>Writes the VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string source = FromGuest ? SourcePath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SourcePath);
        string destination = FromGuest ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(DestinationPath) : DestinationPath;
        var vms = ParameterSetName == ParameterSets.VM ? CheckObjects(VM) : ResolveNames(VMName);
        foreach (var vm in vms)
        {
            string action = FromGuest ? $"Copy '{source}' from the guest to '{destination}'" : $"Copy '{source}' to '{destination}' in the guest";
            if (!ShouldProcess(vm.Name, action)) continue;
            try
            {
                GuestFileCopy.Copy(vm, source, destination, FromGuest, Force, Timeout, _stopping.Token);
                if (PassThru) WriteObject(vm);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
            catch (System.OperationCanceledException)
            {
                return; // Ctrl+C: PowerShell is stopping the pipeline
            }
        }
    }

    /// <summary>Ctrl+C: the guest side is interrupted too, and nothing half-copied is left on either side.</summary>
    protected override void StopProcessing() => _stopping.Cancel();
}
