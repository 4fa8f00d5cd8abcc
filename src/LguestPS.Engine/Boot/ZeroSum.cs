namespace LguestPS.Engine.Boot;

/// <summary>
/// The checksum of firmware tables (MP spec 4.1, ACPI 6.5 5.2.5.3 and 5.2.6): one
/// byte chosen so that every byte of the structure, itself included, sums to zero.
/// </summary>
public static class ZeroSum
{
    /// <summary>The byte that makes all bytes of data sum to zero (its own slot must hold zero).</summary>
    public static byte Of(ReadOnlySpan<byte> data)
    {
        byte sum = 0;
        foreach (byte x in data) sum += x;
        return (byte)-sum;
    }
}
