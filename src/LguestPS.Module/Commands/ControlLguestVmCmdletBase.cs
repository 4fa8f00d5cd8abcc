using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>Base for the cmdlets that do one control operation on running VMs (Suspend-, Resume-LguestVm).</summary>
public abstract class ControlLguestVmCmdletBase : LguestVmCmdletBase
{
    /// <summary>Writes the VM to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>What ShouldProcess names, e.g. "Suspend VM".</summary>
    private protected abstract string Action { get; }

    /// <summary>The operation, on the VM's run.</summary>
    private protected abstract void Do(VmRun run);

    protected override void ProcessRecord()
    {
        foreach (var vm in TargetVms())
        {
            try
            {
                if (ShouldProcess(vm.Name, Action)) Do(VmRun.Running(vm));
                if (PassThru) WriteObject(vm);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
        }
    }
}
