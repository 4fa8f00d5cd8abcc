using System.Collections.Generic;
using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>
/// Base for the *-LguestVm cmdlets that take -Name or -VM. VM is the default
/// set: PowerShell binds a piped object to the default set first, and with
/// Name as default a piped LguestVm would bind by its Name property and be
/// looked up again instead of being used as it is.
/// </summary>
public abstract class LguestVmCmdletBase : LguestCmdletBase
{
    /// <summary>The names of the VMs (wildcards allowed); -VMName, Hyper-V's word for it, works too.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Name,
        ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VMName")]
    [ArgumentCompleter(typeof(LguestVmNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>The VMs, from New-LguestVm or Get-LguestVm.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>The VMs this invocation addresses.</summary>
    internal IEnumerable<LguestVm> TargetVms() =>
        ParameterSetName == ParameterSets.VM ? CheckObjects(VM) : ResolveNames(Name);
}
