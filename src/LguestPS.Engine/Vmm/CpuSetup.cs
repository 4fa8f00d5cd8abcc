using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;

namespace LguestPS.Engine.Vmm;

/*L:100
 * Dressing a vCPU for the 64-bit boot protocol. KVM creates a vCPU as a PC
 * does at power-on (real mode, at the reset vector); the protocol wants it
 * already in long mode with paging on, flat segments from our GDT, %rsi at
 * the zero page and interrupts off. Application processors stay as KVM made
 * them: Linux wakes them itself with INIT and SIPI through the local APIC.
 */
public static unsafe class CpuSetup
{
    private const ulong CR0_PE = 1, CR0_ET = 1 << 4, CR0_NE = 1 << 5, CR0_PG = 1UL << 31;
    private const ulong CR4_PAE = 1 << 5;
    private const ulong EFER_LME = 1 << 8, EFER_LMA = 1 << 10;
    public const ushort BootCs = 0x10, BootDs = 0x18;

    // MSRs (Intel SDM vol. 4) given a defined value rather than whatever KVM defaults to.
    private const uint MSR_IA32_TSC = 0x10, MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175,
        MSR_IA32_SYSENTER_EIP = 0x176, MSR_IA32_MISC_ENABLE = 0x1A0, MSR_MTRR_DEF_TYPE = 0x2FF,
        MSR_STAR = 0xC000_0081, MSR_LSTAR = 0xC000_0082, MSR_CSTAR = 0xC000_0083, MSR_SYSCALL_MASK = 0xC000_0084,
        MSR_KERNEL_GS_BASE = 0xC000_0102;

    /// <summary>State every vCPU needs: its CPUID, MSRs, FPU and local APIC wiring.</summary>
    public static void InitCommon(KvmVcpu vcpu, ReadOnlySpan<kvm_cpuid_entry2> cpuid)
    {
        vcpu.SetCpuid(cpuid);

        ReadOnlySpan<kvm_msr_entry> msrs =
        [
            new() { index = MSR_IA32_SYSENTER_CS }, new() { index = MSR_IA32_SYSENTER_ESP },
            new() { index = MSR_IA32_SYSENTER_EIP }, new() { index = MSR_STAR }, new() { index = MSR_LSTAR },
            new() { index = MSR_CSTAR }, new() { index = MSR_SYSCALL_MASK }, new() { index = MSR_KERNEL_GS_BASE },
            new() { index = MSR_IA32_TSC },
            new() { index = MSR_IA32_MISC_ENABLE, data = 1 },             // fast string operations
            new() { index = MSR_MTRR_DEF_TYPE, data = (1 << 11) | 6 },    // MTRRs on, default write-back
        ];
        vcpu.SetMsrs(msrs);

        // x87 control word and MXCSR as after FINIT / power-on: all exceptions masked.
        var fpu = new kvm_fpu { fcw = 0x37F, mxcsr = 0x1F80 };
        vcpu.SetFpu(fpu);

        // LINT0 delivers the 8259's interrupts (ExtINT), LINT1 is NMI: what a PC's firmware leaves behind,
        // and what the MP table's local interrupt entries promise.
        var lapic = vcpu.GetLapic();
        SetApicReg(ref lapic, 0x350, 7 << 8);
        SetApicReg(ref lapic, 0x360, 4 << 8);
        vcpu.SetLapic(lapic);
    }

    private static void SetApicReg(ref kvm_lapic_state l, int reg, uint value)
    {
        fixed (byte* p = l.regs) *(uint*)(p + reg) = value;
    }

    /// <summary>Long mode, flat segments, paging through our identity tables: the 64-bit boot protocol's entry state.</summary>
    public static void InitBoot(KvmVcpu vcpu, in BootCpu boot)
    {
        var s = vcpu.GetSregs();
        var code = new kvm_segment
        {
            @base = 0, limit = 0xFFFF_FFFF, selector = BootCs, type = 0xB, present = 1, dpl = 0, db = 0, s = 1, l = 1, g = 1,
        };
        var data = code with { selector = BootDs, type = 0x3, db = 1, l = 0 };
        s.cs = code;
        s.ds = s.es = s.fs = s.gs = s.ss = data;
        s.gdt = new kvm_dtable { @base = boot.GdtBase, limit = boot.GdtLimit };
        s.idt = new kvm_dtable { @base = boot.IdtBase, limit = 0 };
        s.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
        s.cr3 = boot.Cr3;
        s.cr4 = CR4_PAE;
        s.efer = EFER_LME | EFER_LMA;
        vcpu.SetSregs(s);

        var r = new kvm_regs { rip = boot.Rip, rsi = boot.Rsi, rflags = 2 };
        vcpu.SetRegs(r);
    }

    /// <summary>
    /// The CPUID the guest sees: what KVM supports, with each vCPU's APIC id
    /// filled in and the hypervisor bit set so the guest knows where it is.
    /// </summary>
    public static kvm_cpuid_entry2[] CpuidFor(ReadOnlySpan<kvm_cpuid_entry2> supported, int apicId, int cpus)
    {
        var e = supported.ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            switch (e[i].function)
            {
                case 1:
                    e[i].ebx = (e[i].ebx & 0x0000_FFFF) | ((uint)cpus << 16 & 0x00FF_0000) | ((uint)apicId << 24);
                    e[i].ecx |= 1u << 31;
                    break;
                case 0xB:
                case 0x1F:
                    e[i].edx = (uint)apicId;
                    break;
            }
        }
        return e;
    }
}
