using System.Runtime.InteropServices;

namespace LguestPS.Engine.Interop;

#pragma warning disable IDE1006 // names mirror linux/kvm.h and asm/kvm.h verbatim

/*
 * The structures of linux/kvm.h and asm/kvm.h (x86), field for field, with
 * their C names. KvmStructLayoutTests compiles a C program against the real
 * headers and compares every size and offset here with the kernel's.
 */

[StructLayout(LayoutKind.Sequential)]
public struct kvm_userspace_memory_region
{
    public uint slot;
    public uint flags;
    public ulong guest_phys_addr;
    public ulong memory_size;
    public ulong userspace_addr;
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_regs
{
    public ulong rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    public ulong r8, r9, r10, r11, r12, r13, r14, r15;
    public ulong rip, rflags;
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_segment
{
    public ulong @base;
    public uint limit;
    public ushort selector;
    public byte type, present, dpl, db, s, l, g, avl;
    public byte unusable, padding;
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_dtable
{
    public ulong @base;
    public ushort limit;
    public ushort padding0, padding1, padding2;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_sregs
{
    public kvm_segment cs, ds, es, fs, gs, ss;
    public kvm_segment tr, ldt;
    public kvm_dtable gdt, idt;
    public ulong cr0, cr2, cr3, cr4, cr8;
    public ulong efer;
    public ulong apic_base;
    public fixed ulong interrupt_bitmap[4];
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_fpu
{
    public fixed byte fpr[128];
    public ushort fcw, fsw;
    public byte ftwx, pad1;
    public ushort last_opcode;
    public ulong last_ip, last_dp;
    public fixed byte xmm[256];
    public uint mxcsr, pad2;
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_msr_entry
{
    public uint index;
    public uint reserved;
    public ulong data;
}

/// <summary>kvm_msrs header; entries follow in the same buffer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_msrs
{
    public uint nmsrs;
    public uint pad;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_cpuid_entry2
{
    public uint function, index, flags;
    public uint eax, ebx, ecx, edx;
    public fixed uint padding[3];
}

/// <summary>kvm_cpuid2 header; entries follow in the same buffer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_cpuid2
{
    public uint nent;
    public uint padding;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_lapic_state
{
    public fixed byte regs[1024];
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_pit_config
{
    public uint flags;
    public fixed uint pad[15];
}

/// <summary>kvm_irqchip: one in-kernel interrupt controller's state (chip_id 0/1: the PICs, 2: the IOAPIC).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_irqchip
{
    public uint chip_id;
    public uint pad;
    public fixed byte chip[512];
}

/// <summary>kvm_clock_data: the VM's kvmclock, what the guest reads as time since boot (ns).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_clock_data
{
    public ulong clock;
    public uint flags;
    public uint pad0;
    public ulong realtime;
    public ulong host_tsc;
    public fixed uint pad[4];
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_irq_level
{
    public uint irq;   // a union with `status` in C
    public uint level;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_irqfd
{
    public uint fd;
    public uint gsi;
    public uint flags;
    public uint resamplefd;
    public fixed byte pad[16];
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_ioeventfd
{
    public ulong datamatch;
    public ulong addr;
    public uint len;
    public int fd;
    public uint flags;
    public fixed byte pad[36];
}

[StructLayout(LayoutKind.Sequential)]
public struct kvm_mp_state
{
    public uint mp_state;
}

/// <summary>The head of the shared kvm_run page, up to the exit-reason union at offset 32.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_run
{
    public byte request_interrupt_window;
    public byte immediate_exit;
    public fixed byte padding1[6];
    public uint exit_reason;
    public byte ready_for_interrupt_injection;
    public byte if_flag;
    public ushort flags;
    public ulong cr8;
    public ulong apic_base;
    // The union of exit details starts here; read it through the views below.
    public fixed byte exit_union[256];
}

/// <summary>The head of kvm_ioapic_state (the chip union of kvm_irqchip for KVM_IRQCHIP_IOAPIC).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_ioapic_state_head
{
    public ulong base_address;
    public uint ioregsel;
    public uint id;
    public uint irr;
    public uint pad;
}

/// <summary>kvm_run.io (KVM_EXIT_IO).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_run_io
{
    public byte direction;
    public byte size;
    public ushort port;
    public uint count;
    public ulong data_offset;
}

/// <summary>kvm_run.mmio (KVM_EXIT_MMIO).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_run_mmio
{
    public ulong phys_addr;
    public fixed byte data[8];
    public uint len;
    public byte is_write;
}

/// <summary>kvm_run.internal (KVM_EXIT_INTERNAL_ERROR).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_run_internal
{
    public uint suberror;
    public uint ndata;
    public fixed ulong data[16];
}

/// <summary>kvm_run.emulation_failure (KVM_EXIT_INTERNAL_ERROR, suberror KVM_INTERNAL_ERROR_EMULATION).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_run_emulation_failure
{
    public uint suberror;
    public uint ndata;
    public ulong flags;
    public byte insn_size;
    public fixed byte insn_bytes[15];
}

/// <summary>kvm_run.system_event (KVM_EXIT_SYSTEM_EVENT).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_run_system_event
{
    public uint type;
    public uint ndata;
    public ulong data0;
}

/// <summary>kvm_run.fail_entry (KVM_EXIT_FAIL_ENTRY).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_run_fail_entry
{
    public ulong hardware_entry_failure_reason;
    public uint cpu;
}

/// <summary>kvm_irq_routing_entry: one GSI's destination (an irqchip pin or an MSI message).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct kvm_irq_routing_entry
{
    public uint gsi;
    public uint type;
    public uint flags;
    public uint pad;
    // union u: irqchip { irqchip, pin } or msi { address_lo, address_hi, data, devid }, padded to 32 bytes
    public uint u0, u1, u2, u3;
    public fixed uint u_pad[4];
}

/// <summary>kvm_irq_routing header; entries follow in the same buffer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_irq_routing
{
    public uint nr;
    public uint flags;
}
