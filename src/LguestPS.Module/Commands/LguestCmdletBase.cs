using System.Collections.Generic;
using System.Management.Automation;
using LguestPS.Session;

namespace LguestPS.Commands;

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
