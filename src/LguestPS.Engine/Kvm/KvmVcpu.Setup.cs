using LguestPS.Engine.Interop;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/*
 * The parts of a PC's power-on state that KVM leaves to the VMM and every
 * vCPU needs the same way, whatever boots on it: model-specific registers
 * with defined values, an x87/SSE unit as after FINIT, and the local APIC's
 * two interrupt pins wired as firmware leaves them.
 */
public sealed partial class KvmVcpu
{
    // MSRs (Intel SDM vol. 4) given a defined value rather than whatever KVM defaults to.
    private const uint MSR_IA32_TSC = 0x10, MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175,
        MSR_IA32_SYSENTER_EIP = 0x176, MSR_IA32_MISC_ENABLE = 0x1A0, MSR_MTRR_DEF_TYPE = 0x2FF,
        MSR_STAR = 0xC000_0081, MSR_LSTAR = 0xC000_0082, MSR_CSTAR = 0xC000_0083, MSR_SYSCALL_MASK = 0xC000_0084,
        MSR_KERNEL_GS_BASE = 0xC000_0102;

    // Local APIC registers and delivery modes (Intel SDM vol. 3, 11.5.1).
    private const int APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360;
    private const uint APIC_MODE_NMI = 4, APIC_MODE_EXTINT = 7;

    /// <summary>System-call and SYSENTER MSRs zeroed, the TSC at 0, fast strings on, MTRRs on with write-back by default.</summary>
    public void SetPowerOnMsrs()
    {
        ReadOnlySpan<kvm_msr_entry> msrs =
        [
            new() { index = MSR_IA32_SYSENTER_CS }, new() { index = MSR_IA32_SYSENTER_ESP },
            new() { index = MSR_IA32_SYSENTER_EIP }, new() { index = MSR_STAR }, new() { index = MSR_LSTAR },
            new() { index = MSR_CSTAR }, new() { index = MSR_SYSCALL_MASK }, new() { index = MSR_KERNEL_GS_BASE },
            new() { index = MSR_IA32_TSC },
            new() { index = MSR_IA32_MISC_ENABLE, data = 1 },             // fast string operations
            new() { index = MSR_MTRR_DEF_TYPE, data = (1 << 11) | 6 },    // MTRRs on, default write-back
        ];
        SetMsrs(msrs);
    }

    /// <summary>The x87 control word and MXCSR as after FINIT / power-on: all exceptions masked.</summary>
    public void SetPowerOnFpu() => SetFpu(new kvm_fpu { fcw = 0x37F, mxcsr = 0x1F80 });

    /// <summary>
    /// LINT0 delivers the 8259's interrupts (ExtINT), LINT1 is NMI: what a PC's firmware leaves behind, and
    /// what the MP table's local interrupt entries promise.
    /// </summary>
    public void WireLocalInterrupts()
    {
        var lapic = GetLapic();
        SetApicRegister(ref lapic, APIC_LVT_LINT0, APIC_MODE_EXTINT << 8);
        SetApicRegister(ref lapic, APIC_LVT_LINT1, APIC_MODE_NMI << 8);
        SetLapic(lapic);
    }

    // SAFETY: regs is the 1 KiB register page of kvm_lapic_state; both registers written lie inside it.
    private static unsafe void SetApicRegister(ref kvm_lapic_state l, int reg, uint value)
    {
        fixed (byte* p = l.regs) *(uint*)(p + reg) = value;
    }
}
