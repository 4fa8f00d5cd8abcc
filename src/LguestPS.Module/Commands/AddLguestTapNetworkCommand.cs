using System.Linq;
using System.Management.Automation;
using System.Net;

namespace LguestPS.Commands;

/// <summary>Add-LguestTapNetwork: a virtio network device on a new tap, with a host address or on a bridge.</summary>
[Cmdlet(VerbsCommon.Add, "LguestTapNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.IPAddress)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestTapNetworkCommand : AddLguestDeviceCmdletBase
{
    /// <summary>The IPv4 address of the host side of the tap.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.IPAddress)]
    [ValidateNotNull]
    public IPAddress IPAddress { get; set; } = null!;

    /// <summary>A bridge for the tap to join instead.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Bridge)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 15)]
    public string Bridge { get; set; } = null!;

    /// <summary>The guest's MAC address.</summary>
    [Parameter]
    [ValidatePattern("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    public string? MacAddress { get; set; }

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
