namespace LguestPS.Engine.Interop;

/// <summary>The ioctl numbers and constants of linux/kvm.h that the engine uses.</summary>
public static class KvmApi
{
    public const uint KVMIO = 0xAE;
    public const int KVM_API_VERSION = 12;

    // System ioctls (on /dev/kvm)
    public static readonly uint KVM_GET_API_VERSION = Ioc.IO(KVMIO, 0x00);
    public static readonly uint KVM_CREATE_VM = Ioc.IO(KVMIO, 0x01);
    public static readonly uint KVM_CHECK_EXTENSION = Ioc.IO(KVMIO, 0x03);
    public static readonly uint KVM_GET_VCPU_MMAP_SIZE = Ioc.IO(KVMIO, 0x04);
    public static readonly uint KVM_GET_SUPPORTED_CPUID = Ioc.IOWR<kvm_cpuid2>(KVMIO, 0x05);

    // VM ioctls
    public static readonly uint KVM_CREATE_VCPU = Ioc.IO(KVMIO, 0x41);
    public static readonly uint KVM_SET_USER_MEMORY_REGION = Ioc.IOW<kvm_userspace_memory_region>(KVMIO, 0x46);
    public static readonly uint KVM_SET_TSS_ADDR = Ioc.IO(KVMIO, 0x47);
    public static readonly uint KVM_SET_IDENTITY_MAP_ADDR = Ioc.IOW<ulong>(KVMIO, 0x48);
    public static readonly uint KVM_CREATE_IRQCHIP = Ioc.IO(KVMIO, 0x60);
    public static readonly uint KVM_GET_IRQCHIP = Ioc.IOWR<kvm_irqchip>(KVMIO, 0x62);
    public static readonly uint KVM_SET_IRQCHIP = Ioc.IOR<kvm_irqchip>(KVMIO, 0x63);
    public static readonly uint KVM_IRQ_LINE = Ioc.IOW<kvm_irq_level>(KVMIO, 0x61);
    public static readonly uint KVM_SET_GSI_ROUTING = Ioc.IOW<kvm_irq_routing>(KVMIO, 0x6a);
    public static readonly uint KVM_IRQFD = Ioc.IOW<kvm_irqfd>(KVMIO, 0x76);
    public static readonly uint KVM_CREATE_PIT2 = Ioc.IOW<kvm_pit_config>(KVMIO, 0x77);
    public static readonly uint KVM_IOEVENTFD = Ioc.IOW<kvm_ioeventfd>(KVMIO, 0x79);
    public static readonly uint KVM_SET_CLOCK = Ioc.IOW<kvm_clock_data>(KVMIO, 0x7b);
    public static readonly uint KVM_GET_CLOCK = Ioc.IOR<kvm_clock_data>(KVMIO, 0x7c);

    // vCPU ioctls
    public static readonly uint KVM_RUN = Ioc.IO(KVMIO, 0x80);
    public static readonly uint KVM_GET_REGS = Ioc.IOR<kvm_regs>(KVMIO, 0x81);
    public static readonly uint KVM_SET_REGS = Ioc.IOW<kvm_regs>(KVMIO, 0x82);
    public static readonly uint KVM_GET_SREGS = Ioc.IOR<kvm_sregs>(KVMIO, 0x83);
    public static readonly uint KVM_SET_SREGS = Ioc.IOW<kvm_sregs>(KVMIO, 0x84);
    public static readonly uint KVM_SET_MSRS = Ioc.IOW<kvm_msrs>(KVMIO, 0x89);
    public static readonly uint KVM_GET_FPU = Ioc.IOR<kvm_fpu>(KVMIO, 0x8c);
    public static readonly uint KVM_SET_FPU = Ioc.IOW<kvm_fpu>(KVMIO, 0x8d);
    public static readonly uint KVM_GET_LAPIC = Ioc.IOR<kvm_lapic_state>(KVMIO, 0x8e);
    public static readonly uint KVM_SET_LAPIC = Ioc.IOW<kvm_lapic_state>(KVMIO, 0x8f);
    public static readonly uint KVM_SET_CPUID2 = Ioc.IOW<kvm_cpuid2>(KVMIO, 0x90);
    public static readonly uint KVM_KVMCLOCK_CTRL = Ioc.IO(KVMIO, 0xad);
    public static readonly uint KVM_GET_MP_STATE = Ioc.IOR<kvm_mp_state>(KVMIO, 0x98);

    // Capabilities (KVM_CHECK_EXTENSION)
    public const int KVM_CAP_IRQCHIP = 0;
    public const int KVM_CAP_USER_MEMORY = 3;
    public const int KVM_CAP_SET_TSS_ADDR = 4;
    public const int KVM_CAP_EXT_CPUID = 7;
    public const int KVM_CAP_NR_VCPUS = 9;
    public const int KVM_CAP_PIT2 = 33;
    public const int KVM_CAP_IOEVENTFD = 36;
    public const int KVM_CAP_IRQFD = 32;
    public const int KVM_CAP_MAX_VCPUS = 66;
    public const int KVM_CAP_IMMEDIATE_EXIT = 136;

    // Exit reasons
    public const uint KVM_EXIT_UNKNOWN = 0;
    public const uint KVM_EXIT_EXCEPTION = 1;
    public const uint KVM_EXIT_IO = 2;
    public const uint KVM_EXIT_HYPERCALL = 3;
    public const uint KVM_EXIT_DEBUG = 4;
    public const uint KVM_EXIT_HLT = 5;
    public const uint KVM_EXIT_MMIO = 6;
    public const uint KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public const uint KVM_EXIT_SHUTDOWN = 8;
    public const uint KVM_EXIT_FAIL_ENTRY = 9;
    public const uint KVM_EXIT_INTR = 10;
    public const uint KVM_EXIT_NMI = 16;
    public const uint KVM_EXIT_INTERNAL_ERROR = 17;
    public const uint KVM_EXIT_SYSTEM_EVENT = 24;
    public const uint KVM_EXIT_IO_IN = 0;
    public const uint KVM_EXIT_IO_OUT = 1;

    public const uint KVM_INTERNAL_ERROR_EMULATION = 1;
    public const uint KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    public const uint KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    public const ulong KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;

    public const uint KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    public const uint KVM_SYSTEM_EVENT_RESET = 2;
    public const uint KVM_SYSTEM_EVENT_CRASH = 3;

    public const uint KVM_PIT_SPEAKER_DUMMY = 1;
    public const uint KVM_IRQCHIP_PIC_MASTER = 0, KVM_IRQCHIP_PIC_SLAVE = 1, KVM_IRQCHIP_IOAPIC = 2;
    public const uint KVM_IRQ_ROUTING_IRQCHIP = 1, KVM_IRQ_ROUTING_MSI = 2;
    public const uint KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;
    public const uint KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;
    public const int KVM_CAP_IRQ_ROUTING = 25;
    public const uint KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    public const uint KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    public const int KVM_MAX_CPUID_ENTRIES = 256;
}
