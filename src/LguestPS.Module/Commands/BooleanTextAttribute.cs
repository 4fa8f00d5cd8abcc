using System;
using System.Management.Automation;

namespace LguestPS.Commands;

/*
 * A switch bound by property name from a CSV file gets the text of its cell,
 * and PowerShell takes only $true, $false and numbers for a Boolean. The
 * words a spreadsheet holds for yes and no are read here; anything else is
 * refused with what to write.
 */
/// <summary>
/// Reads True/False, Yes/No, 1/0 and an empty cell (False) for a switch bound
/// by property name, as a SwitchParameter: typed here so that it binds without
/// coercion (TextArgumentAttribute says why that matters).
/// </summary>
internal sealed class BooleanTextAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if ((inputData is PSObject ps ? ps.BaseObject : inputData) is not string text) return inputData;
        switch (text.Trim().ToLowerInvariant())
        {
            case "true": case "$true": case "yes": case "y": case "1": return new SwitchParameter(true);
            case "false": case "$false": case "no": case "n": case "0": case "": return new SwitchParameter(false);
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{text}' is not a yes or no: write True or False (Yes/No and 1/0 are read too; an empty cell is False).");
        }
    }
}
