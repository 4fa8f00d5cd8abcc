using System.Linq;
using System.Management.Automation;

namespace LguestPS.Commands;

/*
 * A VM's name is how every other cmdlet finds it, and they take wildcards
 * (-Name web*): a name holding * ? [ ] could never be asked for by itself.
 * Whitespace and slashes would make it a poor word in scripts and in
 * paths. Null is the default name New-LguestVm makes from the kernel.
 */
/// <summary>Checks a new VM's name, saying which names are good rather than showing a pattern.</summary>
internal sealed class ValidateVmNameAttribute : ValidateArgumentsAttribute
{
    private static readonly char[] Refused = { '*', '?', '[', ']', '/', '\\' };

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if ((arguments is PSObject ps ? ps.BaseObject : arguments) is not string name) return;
        if (name.Length == 0 || name.Any(char.IsWhiteSpace) || name.IndexOfAny(Refused) >= 0)
            throw new ValidationMetadataException(
                $"'{name}' cannot be a VM name: use letters, digits and - _ . (for example web-1), without spaces, slashes or the wildcard characters * ? [ ].");
    }
}
