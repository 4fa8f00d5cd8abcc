namespace LguestPS.Engine.Vmm;

/// <summary>Where the boot vCPU starts: what the Boot layer's plan hands the vCPU setup.</summary>
public readonly record struct BootCpu(ulong Rip, ulong Rsi, ulong Cr3, ulong GdtBase, ushort GdtLimit, ulong IdtBase);
