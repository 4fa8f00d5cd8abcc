namespace LguestPS.Engine.Boot;

/// <summary>Small arithmetic that refuses to wrap: every size and address here may come from a hostile file.</summary>
internal static class Sizes
{
    public const ulong Page = 4096;
    public const ulong MiB = 1 << 20;

    /// <summary>a + b, or ulong.MaxValue if that wraps (which then fails every "fits" check).</summary>
    public static ulong AddSat(ulong a, ulong b) => a + b < a ? ulong.MaxValue : a + b;

    public static ulong AlignUp(ulong x, ulong align) => AddSat(x, align - 1) & ~(align - 1);

    public static ulong AlignDown(ulong x, ulong align) => x & ~(align - 1);

    /// <summary>Bytes as whole MiB, rounded up, for messages.</summary>
    public static ulong MiBUp(ulong bytes) => bytes / MiB + (bytes % MiB != 0 ? 1UL : 0);
}
