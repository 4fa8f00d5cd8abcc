using LguestPS.Engine.Boot;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;

namespace LguestPS.Engine.Vmm;

/*L:650
 * Dressing a vCPU for the 64-bit boot protocol. KVM creates a vCPU as a PC
 * does at power-on (real mode, at the reset vector); the protocol wants it
 * already in long mode with paging on, flat segments from our GDT, %rsi at
 * the zero page and interrupts off. Application processors stay as KVM made
 * them: Linux wakes them itself with INIT and SIPI through the local APIC.
 */
public static class CpuSetup
{
    /// <summary>State every vCPU needs: its CPUID, and the power-on state KVM leaves to us (MSRs, FPU, LINT pins).</summary>
    public static void InitCommon(KvmVcpu vcpu, ReadOnlySpan<kvm_cpuid_entry2> cpuid)
    {
        vcpu.SetCpuid(cpuid);
        vcpu.SetPowerOnMsrs();
        vcpu.SetPowerOnFpu();
        vcpu.WireLocalInterrupts();
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
