namespace LguestPS.Engine.Kvm;

/// <summary>Why KVM_RUN came back, in the Vmm's terms rather than kvm_run's.</summary>
public enum VcpuExitKind
{
    /// <summary>We were kicked (a signal or immediate_exit): nothing to do but look at the stop flag.</summary>
    Kicked,
    /// <summary>An IN or OUT (or their string forms) to a port KVM does not emulate.</summary>
    Io,
    /// <summary>A load or store to a guest-physical address that is not RAM.</summary>
    Mmio,
    /// <summary>The guest triple-faulted (KVM_EXIT_SHUTDOWN).</summary>
    TripleFault,
    /// <summary>HLT with no in-kernel local APIC to wait on it.</summary>
    Halt,
    /// <summary>The guest asked the platform to power off (PSCI/ACPI through KVM).</summary>
    PowerOff,
    /// <summary>The guest asked the platform to reset.</summary>
    Reset,
    /// <summary>The guest reported a crash to KVM.</summary>
    Crash,
    /// <summary>KVM's emulator could not run the instruction at RIP.</summary>
    EmulationFailure,
    /// <summary>KVM hit an internal error; <see cref="VcpuExit.Detail"/> says which.</summary>
    InternalError,
    /// <summary>KVM could not enter the guest; <see cref="VcpuExit.Code"/> is the hardware reason.</summary>
    FailEntry,
    /// <summary>A system event or exit reason this engine does not know; <see cref="VcpuExit.Code"/> is its number.</summary>
    Unknown,
}
