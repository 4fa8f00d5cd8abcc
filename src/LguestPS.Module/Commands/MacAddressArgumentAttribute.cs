using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>
/// -MacAddress in any of the forms MacAddressText reads, turned into the
/// engine's spelling; an empty value (an empty CSV cell) means none. Anything
/// else is refused with what to type, not with a pattern.
/// </summary>
internal sealed class MacAddressArgumentAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if ((inputData is PSObject ps ? ps.BaseObject : inputData) is not string text) return inputData;
        if (text.Trim().Length == 0) return null;
        string mac = MacAddressText.Normalize(text)
            ?? throw new ArgumentTransformationMetadataException($"'{text}' is not a MAC address. {MacAddressText.Advice}");
        if (MacAddressText.Unusable(mac) is { } why)
            throw new ArgumentTransformationMetadataException($"'{text}' cannot be a guest's MAC address: {why}. {MacAddressText.Advice}");
        return mac;
    }
}
