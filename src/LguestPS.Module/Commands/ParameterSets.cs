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
}
