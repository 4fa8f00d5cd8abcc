namespace LguestPS.Engine.Boot;

/// <summary>
/// What BootLoader.Load put where, and how the boot vCPU must start. Cpu is everything KVM_SET_REGS and
/// KVM_SET_SREGS need; the rest is for --verbose, the ready event and tests.
/// </summary>
public sealed record BootPlan
{
    public required KernelFormat Format { get; init; }
    /// <summary>The 64-bit entry point (also Cpu.Rip).</summary>
    public required ulong Entry { get; init; }
    /// <summary>Guest-physical address of struct boot_params (also Cpu.Rsi).</summary>
    public required ulong BootParams { get; init; }
    /// <summary>[KernelStart, KernelEnd): the image and the memory it claims before reading e820.</summary>
    public required ulong KernelStart { get; init; }
    public required ulong KernelEnd { get; init; }
    /// <summary>Initrd location and size in bytes, both 0 without one.</summary>
    public required ulong InitrdGpa { get; init; }
    public required ulong InitrdSize { get; init; }
    public required ulong CmdLineGpa { get; init; }
    /// <summary>Command line length in bytes, without the NUL.</summary>
    public required int CmdLineLength { get; init; }
    public required int Cpus { get; init; }
    public required IReadOnlyList<E820Entry> E820 { get; init; }
    /// <summary>The boot CPU's initial state. Application processors start in wait-for-SIPI.</summary>
    public required CpuState Cpu { get; init; }
}
