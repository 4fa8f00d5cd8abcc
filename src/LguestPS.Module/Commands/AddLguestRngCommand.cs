using System.Linq;
using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>Add-LguestRng: a virtio entropy device fed from the host kernel.</summary>
[Cmdlet(VerbsCommon.Add, "LguestRng", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestRngCommand : AddLguestDeviceCmdletBase
{
    internal override string Action => "Add entropy device (virtio-rng)";

    internal override void ValidateDevice() { }

    internal override LguestDevice CreateDevice(LguestVm vm)
    {
        if (vm.Devices.OfType<LguestRng>().Any())
            throw LguestErrors.Fail("DeviceAlreadyAttached", $"VM '{vm.Name}' already has an entropy device; one is all a guest needs.");
        return new LguestRng();
    }
}
