using System.Collections.Generic;
using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>The two ways to name a VM, as in Hyper-V: by name (wildcards allowed) or as an object.</summary>
internal static class ParameterSets
{
    internal const string Name = "Name";
    internal const string VM = "VM";
    internal const string VMName = "VMName";
}

/// <summary>Shared by the cmdlets that act on VMs: resolving -Name / -VM and writing errors the one way.</summary>
public abstract class LguestCmdletBase : PSCmdlet
{
    internal VmRegistry Registry => VmRegistry.Current;

    /// <summary>Turns names (wildcards allowed) into VMs; a name that finds nothing is a non-terminating VmNotFound.</summary>
    internal IEnumerable<LguestVm> ResolveNames(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var found = WildcardPattern.ContainsWildcardCharacters(name) ? Registry.Match(name) : Find(name);
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                WriteLguestError(LguestErrors.Fail("VmNotFound", $"There is no VM named '{name}' in this session. Get-LguestVm lists them."), name);
            foreach (var vm in found) yield return vm;
        }
    }

    private IReadOnlyList<LguestVm> Find(string name)
    {
        var vm = Registry.Find(name);
        return vm == null ? new LguestVm[0] : new[] { vm };
    }

    /// <summary>VMs given as objects: refuse one that Remove-LguestVm took out of the session.</summary>
    internal IEnumerable<LguestVm> CheckObjects(IEnumerable<LguestVm> vms)
    {
        foreach (var vm in vms)
        {
            if (vm.Removed)
                WriteLguestError(LguestErrors.Fail("VmRemoved", $"VM '{vm.Name}' was removed from this session; create it again with New-LguestVm."), vm);
            else
                yield return vm;
        }
    }

    internal void WriteLguestError(LguestException e, object? target) => WriteError(e.ToErrorRecord(target));

    internal void ThrowLguestError(LguestException e, object? target) => ThrowTerminatingError(e.ToErrorRecord(target));
}

/// <summary>
/// Base for the *-LguestVm cmdlets that take -Name or -VM. VM is the default
/// set: PowerShell binds a piped object to the default set first, and with
/// Name as default a piped LguestVm would bind by its Name property and be
/// looked up again instead of being used as it is.
/// </summary>
public abstract class LguestVmCmdletBase : LguestCmdletBase
{
    /// <summary>The names of the VMs (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Name,
        ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
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
