using System.Collections.Generic;
using System.Management.Automation;

namespace LguestPS.Commands;

/*
 * The Add-Lguest* cmdlets are steps of a builder pipeline:
 *   New-LguestVm ... | Add-LguestRng | Add-LguestBlockDevice -Path d.img | Start-LguestVm
 * Each takes the VM from the pipeline (or -VMName), attaches its device, and
 * passes the VM on. Devices can be added only while the VM is not running.
 *
 * -VMName is the default parameter set, unlike the *-LguestVm cmdlets: a
 * table of devices (Import-Csv disks.csv | Add-LguestBlockDevice, columns
 * VMName, Path, ...) binds by property name, and PowerShell tries the
 * default set first in every round of pipeline binding and stops looking
 * at other sets once something binds there; with -VM as the default, the
 * row's Path or ReadOnly would bind there and -VMName never would. A piped
 * LguestVm still binds -VM: by value comes first, and -VMName takes no
 * value from the pipeline, only a property.
 */
/// <summary>Base of the Add-Lguest* cmdlets: -VMName / -VM, the state check, ShouldProcess, and passing the VM on.</summary>
public abstract class AddLguestDeviceCmdletBase : LguestCmdletBase
{
    /// <summary>-VM when bound (each cmdlet declares -VM and -VMName in its own parameter sets).</summary>
    internal abstract LguestVm[]? TargetObjects { get; }

    /// <summary>-VMName when bound.</summary>
    internal abstract string[]? TargetNames { get; }

    /// <summary>Checks the device itself (files exist...). Throws LguestException.</summary>
    internal abstract void ValidateDevice();

    /// <summary>What ShouldProcess says is about to happen.</summary>
    internal abstract string Action { get; }

    /// <summary>Checks the device against this VM (no duplicate) and creates it. Throws LguestException.</summary>
    internal abstract LguestDevice CreateDevice(LguestVm vm);

    protected override void ProcessRecord()
    {
        try
        {
            ValidateDevice();
        }
        catch (LguestException e)
        {
            WriteLguestError(e, null);
            return;
        }
        IEnumerable<LguestVm> vms = TargetObjects != null ? CheckObjects(TargetObjects) : ResolveNames(TargetNames!);
        foreach (var vm in vms)
        {
            try
            {
                if (vm.IsActive)
                    throw LguestErrors.Fail("VmRunning", $"VM '{vm.Name}' is {vm.State}: devices can be added only while it is off. Stop-LguestVm stops it.");
                Validate.DeviceCount(vm);
                var device = CreateDevice(vm);
                if (ShouldProcess(vm.Name, Action)) vm.AddDevice(device);
                WriteObject(vm);
            }
            catch (LguestException e)
            {
                WriteLguestError(e, vm);
            }
        }
    }
}
