using System.Linq;
using System.Management.Automation;
using System.Net;
using LguestPS.Contract;

namespace LguestPS.Commands;

/*
 * The tap gets a host address (-IPAddress) or joins a bridge (-Bridge):
 * exactly one, checked here rather than by two parameter sets each, so the
 * cmdlet has the same two sets as every Add-Lguest* cmdlet (-VM, -VMName).
 * With an address or a bridge in sets of their own, a row of a CSV file
 * could not bind -VMName: PowerShell settles on the default set as soon as
 * a set-specific parameter narrows the choice to sets that include it.
 */
/// <summary>Add-LguestTapNetwork: a virtio network device on a new tap, with a host address or on a bridge.</summary>
[Cmdlet(VerbsCommon.Add, "LguestTapNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VMName)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestTapNetworkCommand : AddLguestDeviceCmdletBase
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

    /// <summary>The IPv4 address of the host side of the tap.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument(typeof(IPAddress))]
    public IPAddress? IPAddress { get; set; }

    /// <summary>The length of the host side's subnet prefix: 24 (255.255.255.0) unless given, a subnet per tap.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument(typeof(int), LguestTapNetwork.DefaultPrefixLength)]
    [ValidateRange(1, 30)]
    public int PrefixLength { get; set; } = LguestTapNetwork.DefaultPrefixLength;

    /// <summary>A bridge for the tap to join instead.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument]
    public string? Bridge { get; set; }

    /// <summary>The guest's MAC address: 02-15-5D-01-02-03, 02:15:5d:01:02:03 or 02155D010203; unicast only.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [MacAddressArgument]
    public string? MacAddress { get; set; }

    internal override LguestVm[]? TargetObjects => ParameterSetName == ParameterSets.VM ? VM : null;
    internal override string[]? TargetNames => ParameterSetName == ParameterSets.VMName ? VMName : null;

    internal override string Action =>
        $"Add tap network ({(Bridge != null ? "bridge " + Bridge : $"host address {IPAddress}/{PrefixLength}")}{(MacAddress != null ? ", MAC " + MacAddress : "")})";

    internal override void ValidateDevice()
    {
        if ((IPAddress == null) == (Bridge == null))
            throw LguestErrors.Fail(ErrorId.InvalidArgument,
                "Give the tap either a host address (-IPAddress 169.254.1.1) or a bridge to join (-Bridge br0), not both and not neither.");
        if (Bridge != null && PrefixLength != LguestTapNetwork.DefaultPrefixLength)
            throw LguestErrors.Fail(ErrorId.InvalidArgument, "-PrefixLength goes with -IPAddress: a tap on a bridge has no address of its own.");
        Validate.Tun();
        if (Bridge != null) Validate.Bridge(Bridge);
        else Validate.TapAddress(IPAddress!, PrefixLength);
    }

    internal override LguestDevice CreateDevice(LguestVm vm)
    {
        string? mac = MacAddress; // the transformation gave it the engine's spelling
        if (mac != null && vm.Devices.OfType<LguestTapNetwork>().Any(n => n.MacAddress == mac))
            throw LguestErrors.Fail("DeviceAlreadyAttached", $"VM '{vm.Name}' already has a network device with MAC {mac}.");
        return Bridge == null ? new LguestTapNetwork(IPAddress!.ToString(), null, mac, PrefixLength) : new LguestTapNetwork(null, Bridge, mac);
    }
}
