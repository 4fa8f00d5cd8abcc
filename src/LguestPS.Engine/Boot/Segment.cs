
namespace LguestPS.Engine.Boot;

/// <summary>
/// A segment register as KVM takes it (struct kvm_segment): the descriptor cache, with Limit already
/// expanded to bytes (0xFFFFF pages with G=1 is 0xFFFFFFFF). Field names follow kvm_segment.
/// </summary>
public readonly record struct Segment(
    ulong Base, uint Limit, ushort Selector, byte Type, bool Present, byte Dpl,
    bool Db, bool S, bool L, bool G, bool Avl = false, bool Unusable = false);
