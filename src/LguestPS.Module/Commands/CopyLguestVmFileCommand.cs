using System.Management.Automation;
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
public sealed class CopyLguestVmFileCommand : GuestCmdletBase
{
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

    /// <summary>Writes the VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string source = FromGuest ? SourcePath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SourcePath);
        string destination = FromGuest ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(DestinationPath) : DestinationPath;
                foreach (var vm in TargetVms())
        {
            string action = FromGuest ? $"Copy '{source}' from the guest to '{destination}'" : $"Copy '{source}' to '{destination}' in the guest";
            if (!ShouldProcess(vm.Name, action)) continue;
            try
            {
                GuestFileCopy.Copy(vm, source, destination, FromGuest, Force, Timeout, Cancel);
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

}
