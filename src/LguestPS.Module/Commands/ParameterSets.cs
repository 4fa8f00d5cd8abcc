namespace LguestPS.Commands;

/*
 * Every parameter-set name of every cmdlet, in one place. The two ways to
 * name a VM come from Hyper-V: by name (wildcards allowed) or as an object;
 * the device cmdlets say -VMName, the *-LguestVm cmdlets -Name.
 * CmdletDesignTests checks that the sets PowerShell reports are these.
 */
internal static class ParameterSets
{
    internal const string Name = "Name";
    internal const string VM = "VM";
    internal const string VMName = "VMName";

    // Add-LguestTapNetwork: the VM by object or by name, times the tap by address or on a bridge.
    internal const string VMIPAddress = "VMIPAddress";
    internal const string VMBridge = "VMBridge";
    internal const string VMNameIPAddress = "VMNameIPAddress";
    internal const string VMNameBridge = "VMNameBridge";
}
