using System.Linq;
using System.Management.Automation;
using System.Net;

namespace LguestPS.Commands;

/// <summary>Add-LguestTapNetwork: a virtio network device on a new tap, with a host address or on a bridge.</summary>
[Cmdlet(VerbsCommon.Add, "LguestTapNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VMIPAddress)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestTapNetworkCommand : AddLguestDeviceCmdletBase
{
    /// <summary>The names of the VMs to add the device to.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMNameIPAddress)]
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMNameBridge)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs to add the device to, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMIPAddress, ValueFromPipeline = true)]
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMBridge, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>The IPv4 address of the host side of the tap.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMIPAddress)]
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMNameIPAddress)]
    [ValidateNotNull]
    public IPAddress IPAddress { get; set; } = null!;

    /// <summary>A bridge for the tap to join instead.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMBridge)]
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMNameBridge)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 15)]
    public string Bridge { get; set; } = null!;

    /// <summary>The guest's MAC address.</summary>
    [Parameter]
    [ValidatePattern("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    public string? MacAddress { get; set; }

    internal override LguestVm[]? TargetObjects => ParameterSetName is ParameterSets.VMIPAddress or ParameterSets.VMBridge ? VM : null;
    internal override string[]? TargetNames => ParameterSetName is ParameterSets.VMNameIPAddress or ParameterSets.VMNameBridge ? VMName : null;

    internal override string Action =>
        $"Add tap network ({(Bridge != null ? "bridge " + Bridge : "host address " + IPAddress)}{(MacAddress != null ? ", MAC " + MacAddress : "")})";

    internal override void ValidateDevice()
    {
        Validate.Tun();
        if (Bridge != null) Validate.Bridge(Bridge);
        else Validate.TapAddress(IPAddress);
    }

    internal override LguestDevice CreateDevice(LguestVm vm)
    {
        string? mac = MacAddress?.ToLowerInvariant();
        if (mac != null && vm.Devices.OfType<LguestTapNetwork>().Any(n => n.MacAddress == mac))
            throw LguestErrors.Fail("DeviceAlreadyAttached", $"VM '{vm.Name}' already has a network device with MAC {mac}.");
        return new LguestTapNetwork(Bridge == null ? IPAddress.ToString() : null, Bridge, mac);
    }
}
