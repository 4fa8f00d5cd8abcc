using LguestPS.Engine.Boot;
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

    /// <summary>Loads the Boot layer's entry state (the 64-bit boot protocol's) into the boot vCPU.</summary>
    public static void InitBoot(KvmVcpu vcpu, CpuState cpu)
    {
        var s = vcpu.GetSregs();
        s.cs = Seg(cpu.Cs); s.ds = Seg(cpu.Ds); s.es = Seg(cpu.Es); s.fs = Seg(cpu.Fs); s.gs = Seg(cpu.Gs); s.ss = Seg(cpu.Ss);
        s.tr = Seg(cpu.Tr); s.ldt = Seg(cpu.Ldt);
        s.gdt = new kvm_dtable { @base = cpu.Gdt.Base, limit = cpu.Gdt.Limit };
        s.idt = new kvm_dtable { @base = cpu.Idt.Base, limit = cpu.Idt.Limit };
        s.cr0 = cpu.Cr0;
        s.cr3 = cpu.Cr3;
        s.cr4 = cpu.Cr4;
        s.efer = cpu.Efer;
        vcpu.SetSregs(s);
        vcpu.SetRegs(new kvm_regs { rip = cpu.Rip, rsi = cpu.Rsi, rsp = cpu.Rsp, rflags = cpu.Rflags });
    }

    private static kvm_segment Seg(Segment g) => new()
    {
        @base = g.Base, limit = g.Limit, selector = g.Selector, type = g.Type, present = B(g.Present), dpl = g.Dpl,
        db = B(g.Db), s = B(g.S), l = B(g.L), g = B(g.G), avl = B(g.Avl), unusable = B(g.Unusable),
    };

    private static byte B(bool b) => b ? (byte)1 : (byte)0;

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
