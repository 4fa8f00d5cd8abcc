using System.Linq;
using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>Add-LguestRng: a virtio entropy device fed from the host kernel.</summary>
[Cmdlet(VerbsCommon.Add, "LguestRng", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VMName)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestRngCommand : AddLguestDeviceCmdletBase
{
    /// <summary>The names of the VMs to add the device to (by property name too: a CSV column VMName).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LguestVmNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs to add the device to, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    internal override LguestVm[]? TargetObjects => ParameterSetName == ParameterSets.VM ? VM : null;
    internal override string[]? TargetNames => ParameterSetName == ParameterSets.VMName ? VMName : null;

    internal override string Action => "Add entropy device (virtio-rng)";

    internal override void ValidateDevice() { }

    internal override LguestDevice CreateDevice(LguestVm vm)
    {
        if (vm.Devices.OfType<LguestRng>().Any())
            throw LguestErrors.Fail("DeviceAlreadyAttached", $"VM '{vm.Name}' already has an entropy device; one is all a guest needs.");
        return new LguestRng();
    }
}
