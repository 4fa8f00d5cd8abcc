
namespace LguestPS.Engine.Virtio.Queue;

/// <summary>One buffer of a chain: guest-physical address and length, already checked to lie inside guest RAM.</summary>
public readonly record struct VqSegment(ulong Gpa, uint Len);
