using System.Collections.Generic;
using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Send-LguestVmConsole: types text into a running guest's console, followed by Enter.</summary>
[Cmdlet(VerbsCommunications.Send, "LguestVmConsole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class SendLguestVmConsoleCommand : LguestCmdletBase
{
    /// <summary>The names of the VMs to type into.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMName, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(LguestVmNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs to type into, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>The text to type.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [AllowEmptyString]
    public string Text { get; set; } = null!;

    /// <summary>Types the text without pressing Enter after it.</summary>
    [Parameter]
    public SwitchParameter NoNewline { get; set; }

    /// <summary>Writes the VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<LguestVm> vms = ParameterSetName == ParameterSets.VM ? CheckObjects(VM) : ResolveNames(VMName);
        foreach (var vm in vms)
        {
            try
            {
                var run = VmRun.Running(vm);
                if (ShouldProcess(vm.Name, $"Type '{Text}'{(NoNewline ? "" : " and Enter")}"))
                    run.Send(NoNewline ? Text : Text + "\n");
                if (PassThru) WriteObject(vm);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
        }
    }
}
