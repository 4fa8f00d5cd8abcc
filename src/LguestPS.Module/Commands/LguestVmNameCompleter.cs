using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using LguestPS.Session;

namespace LguestPS.Commands;

/*
 * Tab completion of -Name and -VMName: the VMs of the session whose names
 * start with what was typed (wildcards work too, as they do in the
 * parameter), each with its state as the tooltip. PowerShell asks on the
 * pipeline thread of the runspace being typed in, so the registry is that
 * runspace's own.
 */
/// <summary>Completes VM names on every parameter that names an existing VM.</summary>
public sealed class LguestVmNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(WildcardPattern.ContainsWildcardCharacters(typed) ? typed : typed + "*", WildcardOptions.IgnoreCase);
        return VmRegistry.Current.All
            .Where(vm => pattern.IsMatch(vm.Name))
            .OrderBy(vm => vm.Name, System.StringComparer.OrdinalIgnoreCase)
            .Select(vm => new CompletionResult(Quote(vm.Name), vm.Name, CompletionResultType.ParameterValue,
                $"{vm.Name}: {vm.State}, {vm.MemoryMB} MiB, {vm.Cpus} vCPU(s)"));
    }

    /// <summary>A name as it must be typed: quoted when PowerShell would otherwise split or read it.</summary>
    private static string Quote(string name) =>
        name.Any(c => "$`'\"(){};,|&@#<>".IndexOf(c) >= 0) ? "'" + name.Replace("'", "''") + "'" : name;
}
