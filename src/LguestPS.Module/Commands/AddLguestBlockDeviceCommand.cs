using System;
using System.Linq;
using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>Add-LguestBlockDevice: a virtio disk backed by a file.</summary>
[Cmdlet(VerbsCommon.Add, "LguestBlockDevice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ParameterSets.VMName)]
[OutputType(typeof(LguestVm))]
public sealed class AddLguestBlockDeviceCommand : AddLguestDeviceCmdletBase
{
    private string _fullPath = "";
    private long _size;

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

    /// <summary>The disk image file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>Lets the guest read but not write the disk.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BooleanText]
    public SwitchParameter ReadOnly { get; set; }

    internal override string Action => $"Add block device {_fullPath}{(ReadOnly ? " (read-only)" : "")}";

    internal override void ValidateDevice()
    {
        _fullPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        _size = Validate.BlockFile(_fullPath, ReadOnly);
    }

    internal override LguestDevice CreateDevice(LguestVm vm)
    {
        if (vm.Devices.OfType<LguestBlockDevice>().Any(d => string.Equals(d.Path, _fullPath, StringComparison.Ordinal)))
            throw LguestErrors.Fail("DeviceAlreadyAttached", $"VM '{vm.Name}' already has '{_fullPath}' as a disk; one file backs one disk.");
        return new LguestBlockDevice(_fullPath, ReadOnly, _size);
    }
}
