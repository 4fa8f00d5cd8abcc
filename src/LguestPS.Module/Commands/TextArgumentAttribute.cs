using System;
using System.Management.Automation;

namespace LguestPS.Commands;

/*
 * Arguments that come as text from a table: Import-Csv gives every row
 * every column, each cell a string, "" when empty.
 *
 * An empty cell means the column has nothing to say for this row, so the
 * parameter keeps its default (no initrd, the default reboot action...).
 *
 * Other text is converted to the parameter's type here, not by the binder,
 * for a reason in how PowerShell binds by property name: in each round
 * (first without type coercion, then with it) it tries the default
 * parameter set first, and if anything binds there it looks at no other
 * set in that round. A -PrefixLength "24" coerced to an int in the default
 * set (-VM) would hide -VMName, which a string needs coercion to reach
 * (it is a string[]), and the row would fail with "cannot bind VM". Typed
 * here, every such parameter binds in the first round, and the coercion
 * round belongs to -VMName alone.
 */
/// <summary>An empty string becomes the default; other text becomes the given type, with an error that says what was wrong.</summary>
internal sealed class TextArgumentAttribute : ArgumentTransformationAttribute
{
    private readonly Type? _type;
    private readonly object? _empty;

    public TextArgumentAttribute() { }

    public TextArgumentAttribute(Type type) => _type = type;

    public TextArgumentAttribute(Type type, object empty) => (_type, _empty) = (type, empty);

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if ((inputData is PSObject ps ? ps.BaseObject : inputData) is not string text) return inputData;
        if (text.Trim().Length == 0) return _empty;
        if (_type == null) return text;
        try
        {
            return LanguagePrimitives.ConvertTo(text.Trim(), _type, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (PSInvalidCastException e)
        {
            throw new ArgumentTransformationMetadataException($"'{text}' is not {Describe(_type)}.", e);
        }
    }

    private static string Describe(Type type) =>
        type == typeof(int) ? "a whole number"
        : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
        : type == typeof(System.Net.IPAddress) ? "an IP address (for example 169.254.1.1)"
        : "a " + type.Name;
}
