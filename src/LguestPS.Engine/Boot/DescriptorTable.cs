
namespace LguestPS.Engine.Boot;

/// <summary>GDTR or IDTR (struct kvm_dtable).</summary>
public readonly record struct DescriptorTable(ulong Base, ushort Limit);
