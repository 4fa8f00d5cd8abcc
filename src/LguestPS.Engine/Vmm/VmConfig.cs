using LguestPS.Contract;

namespace LguestPS.Engine.Vmm;

/// <summary>What to build: the parts of the command line the VMM cares about.</summary>
public sealed record VmConfig(ulong MemoryMiB, int Cpus, string KernelPath, string? InitrdPath, string CommandLine, bool RestartOnReboot)
{
    /// <summary>Apply HostQuirks (CPUID filter and kernel arguments) where the host needs them.</summary>
    public bool HostQuirks { get; init; } = true;
    /// <summary>The disks, in PCI slot order after the console (the contract's --block).</summary>
    public IReadOnlyList<BlockOption> Disks { get; init; } = [];
    public bool Rng { get; init; }
    /// <summary>The tap networks, after the rng (the contract's --tunnet).</summary>
    public IReadOnlyList<TunnetOption> Nets { get; init; } = [];
}
