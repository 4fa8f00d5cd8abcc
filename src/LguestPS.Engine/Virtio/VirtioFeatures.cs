
namespace LguestPS.Engine.Virtio;

/// <summary>Feature bits every device shares (virtio 1.x section 6).</summary>
public static class VirtioFeatures
{
    public const int IndirectDesc = 28, EventIdx = 29, Version1 = 32;
    public static ulong Bit(int n) => 1UL << n;
}
