using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>
/// Our C# mirrors of linux/kvm.h must agree with the kernel's headers byte for
/// byte: a C program compiled against the real headers prints every size and
/// offset we rely on, and we compare.
/// </summary>
public unsafe class KvmStructLayoutTests
{
    private static readonly Lazy<Dictionary<string, long>> Real = new(CompileAndRun);

    private static Dictionary<string, long> CompileAndRun()
    {
        return CHeaderProbe.Run("kvmlayout", """
            #include <stdio.h>
            #include <stddef.h>
            #include <linux/kvm.h>
            #define S(t) printf("%s %zu\n", #t, sizeof(struct t));
            #define O(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(struct t, f));
            int main(void) {
              S(kvm_userspace_memory_region) S(kvm_regs) S(kvm_segment) S(kvm_dtable) S(kvm_sregs) S(kvm_fpu)
              S(kvm_msr_entry) S(kvm_msrs) S(kvm_cpuid_entry2) S(kvm_cpuid2) S(kvm_lapic_state) S(kvm_pit_config)
              S(kvm_irq_level) S(kvm_irqchip) S(kvm_ioapic_state) S(kvm_irqfd) S(kvm_ioeventfd) S(kvm_mp_state) S(kvm_clock_data)
              O(kvm_sregs, gdt) O(kvm_sregs, cr0) O(kvm_sregs, efer) O(kvm_sregs, interrupt_bitmap)
              O(kvm_fpu, fcw) O(kvm_fpu, last_ip) O(kvm_fpu, xmm) O(kvm_fpu, mxcsr)
              O(kvm_run, exit_reason) O(kvm_run, cr8) O(kvm_run, io) O(kvm_run, io.port) O(kvm_run, io.count)
              O(kvm_run, io.data_offset) O(kvm_run, mmio.data) O(kvm_run, mmio.len) O(kvm_run, mmio.is_write)
              O(kvm_run, internal.ndata) O(kvm_run, internal.data) O(kvm_run, emulation_failure.flags)
              O(kvm_run, emulation_failure.insn_size) O(kvm_run, emulation_failure.insn_bytes)
              O(kvm_run, system_event.type) O(kvm_run, system_event.ndata)
              O(kvm_ioapic_state, id) O(kvm_ioeventfd, len) O(kvm_ioeventfd, fd) O(kvm_ioeventfd, flags)
              return 0;
            }
            """);
    }

    [Fact]
    public void StructSizesMatchTheKernelHeaders()
    {
        var real = Real.Value;
        Assert.Equal(real["kvm_userspace_memory_region"], sizeof(kvm_userspace_memory_region));
        Assert.Equal(real["kvm_regs"], sizeof(kvm_regs));
        Assert.Equal(real["kvm_segment"], sizeof(kvm_segment));
        Assert.Equal(real["kvm_dtable"], sizeof(kvm_dtable));
        Assert.Equal(real["kvm_sregs"], sizeof(kvm_sregs));
        Assert.Equal(real["kvm_fpu"], sizeof(kvm_fpu));
        Assert.Equal(real["kvm_msr_entry"], sizeof(kvm_msr_entry));
        Assert.Equal(real["kvm_msrs"], sizeof(kvm_msrs));
        Assert.Equal(real["kvm_cpuid_entry2"], sizeof(kvm_cpuid_entry2));
        Assert.Equal(real["kvm_cpuid2"], sizeof(kvm_cpuid2));
        Assert.Equal(real["kvm_lapic_state"], sizeof(kvm_lapic_state));
        Assert.Equal(real["kvm_pit_config"], sizeof(kvm_pit_config));
        Assert.Equal(real["kvm_irq_level"], sizeof(kvm_irq_level));
        Assert.Equal(real["kvm_clock_data"], sizeof(kvm_clock_data));
        Assert.Equal(real["kvm_irqchip"], sizeof(kvm_irqchip));
        Assert.True(real["kvm_ioapic_state"] <= 512); // fits the chip union
        Assert.Equal(real["kvm_ioapic_state.id"], (long)Marshal.OffsetOf<kvm_ioapic_state_head>("id"));
        Assert.Equal(real["kvm_irqfd"], sizeof(kvm_irqfd));
        Assert.Equal(real["kvm_ioeventfd"], sizeof(kvm_ioeventfd));
        Assert.Equal(real["kvm_mp_state"], sizeof(kvm_mp_state));
    }

    [Theory]
    [InlineData("kvm_sregs.gdt", typeof(kvm_sregs), "gdt")]
    [InlineData("kvm_sregs.cr0", typeof(kvm_sregs), "cr0")]
    [InlineData("kvm_sregs.efer", typeof(kvm_sregs), "efer")]
    [InlineData("kvm_sregs.interrupt_bitmap", typeof(kvm_sregs), "interrupt_bitmap")]
    [InlineData("kvm_fpu.fcw", typeof(kvm_fpu), "fcw")]
    [InlineData("kvm_fpu.last_ip", typeof(kvm_fpu), "last_ip")]
    [InlineData("kvm_fpu.xmm", typeof(kvm_fpu), "xmm")]
    [InlineData("kvm_fpu.mxcsr", typeof(kvm_fpu), "mxcsr")]
    [InlineData("kvm_run.exit_reason", typeof(kvm_run), "exit_reason")]
    [InlineData("kvm_run.cr8", typeof(kvm_run), "cr8")]
    [InlineData("kvm_run.io", typeof(kvm_run), "exit_union")]
    [InlineData("kvm_ioeventfd.len", typeof(kvm_ioeventfd), "len")]
    [InlineData("kvm_ioeventfd.fd", typeof(kvm_ioeventfd), "fd")]
    [InlineData("kvm_ioeventfd.flags", typeof(kvm_ioeventfd), "flags")]
    public void FieldOffsetsMatchTheKernelHeaders(string cName, Type type, string field) =>
        Assert.Equal(Real.Value[cName], (long)Marshal.OffsetOf(type, field));

    [Theory]
    [InlineData("kvm_run.io.port", typeof(kvm_run_io), "port")]
    [InlineData("kvm_run.io.count", typeof(kvm_run_io), "count")]
    [InlineData("kvm_run.io.data_offset", typeof(kvm_run_io), "data_offset")]
    [InlineData("kvm_run.mmio.data", typeof(kvm_run_mmio), "data")]
    [InlineData("kvm_run.mmio.len", typeof(kvm_run_mmio), "len")]
    [InlineData("kvm_run.mmio.is_write", typeof(kvm_run_mmio), "is_write")]
    [InlineData("kvm_run.internal.ndata", typeof(kvm_run_internal), "ndata")]
    [InlineData("kvm_run.internal.data", typeof(kvm_run_internal), "data")]
    [InlineData("kvm_run.emulation_failure.flags", typeof(kvm_run_emulation_failure), "flags")]
    [InlineData("kvm_run.emulation_failure.insn_size", typeof(kvm_run_emulation_failure), "insn_size")]
    [InlineData("kvm_run.emulation_failure.insn_bytes", typeof(kvm_run_emulation_failure), "insn_bytes")]
    [InlineData("kvm_run.system_event.type", typeof(kvm_run_system_event), "type")]
    [InlineData("kvm_run.system_event.ndata", typeof(kvm_run_system_event), "ndata")]
    public void ExitUnionViewsMatchTheKernelHeaders(string cName, Type view, string field) =>
        Assert.Equal(Real.Value[cName], (long)Marshal.OffsetOf<kvm_run>("exit_union") + (long)Marshal.OffsetOf(view, field));

    [Fact]
    public void IoctlNumbersMatchTheKernelEncoding()
    {
        // Spot checks against numbers every KVM user knows by heart.
        Assert.Equal(0xAE80u, KvmApi.KVM_RUN);
        Assert.Equal(0x4020AE46u, KvmApi.KVM_SET_USER_MEMORY_REGION);
        Assert.Equal(0x8138AE83u, KvmApi.KVM_GET_SREGS);
        Assert.Equal(0xC008AE05u, KvmApi.KVM_GET_SUPPORTED_CPUID);
    }
}
