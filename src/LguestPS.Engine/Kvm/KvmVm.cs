using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/// <summary>One KVM virtual machine: its memory slots, interrupt controllers and vCPUs.</summary>
public sealed class KvmVm : IDisposable
{
    private readonly SafeFd _fd;
    public KvmSystem System { get; }

    internal KvmVm(SafeFd fd, KvmSystem system)
    {
        _fd = fd;
        System = system;
    }

    public void SetMemory(GuestMemory mem)
    {
        uint slot = 0;
        foreach (var r in mem.Regions)
        {
            var region = new kvm_userspace_memory_region
            {
                slot = slot++, guest_phys_addr = r.Gpa, memory_size = r.Size, userspace_addr = (ulong)r.HostAddress,
            };
            Sys.Ioctl(_fd, KVM_SET_USER_MEMORY_REGION, ref region, "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /// <summary>
    /// The in-kernel PIC, IOAPIC and LAPICs, and the PIT. KVM's default GSI
    /// routing sends GSI n to IOAPIC pin n (and PIC pin n below 16); the MP
    /// table we write tells the guest the same.
    /// </summary>
    public void CreatePlatform()
    {
        // Intel VMX wants three pages for a real-mode TSS and one for an identity map, in guest-physical space
        // that is not RAM. Harmless elsewhere.
        Sys.Ioctl(_fd, KVM_SET_TSS_ADDR, Layout.KvmTss, "KVM_SET_TSS_ADDR");
        ulong idmap = Layout.KvmIdentityMap;
        Sys.Ioctl(_fd, KVM_SET_IDENTITY_MAP_ADDR, ref idmap, "KVM_SET_IDENTITY_MAP_ADDR");
        Sys.Ioctl(_fd, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
        var pit = new kvm_pit_config { flags = KVM_PIT_SPEAKER_DUMMY };
        Sys.Ioctl(_fd, KVM_CREATE_PIT2, ref pit, "KVM_CREATE_PIT2");
    }

    /// <summary>
    /// Gives the in-kernel IOAPIC the id the MP table announces. KVM starts it at
    /// 0, which would collide with the boot CPU's local APIC id.
    /// </summary>
    // SAFETY: chip is a 512-byte union that KVM_GET_IRQCHIP filled with a kvm_ioapic_state, whose head we
    // mirror: writing its id field stays inside the union.
    public unsafe void SetIoApicId(byte id)
    {
        var chip = new kvm_irqchip { chip_id = KVM_IRQCHIP_IOAPIC };
        Sys.Ioctl(_fd, KVM_GET_IRQCHIP, ref chip, "KVM_GET_IRQCHIP");
        ((kvm_ioapic_state_head*)chip.chip)->id = id;
        Sys.Ioctl(_fd, KVM_SET_IRQCHIP, ref chip, "KVM_SET_IRQCHIP");
    }

    /// <summary>
    /// Whether the guest has masked this IOAPIC pin (its redirection entry's bit 16), as it is until a driver
    /// asks for the interrupt: a masked pin means nobody in the guest listens to that device.
    /// </summary>
    // SAFETY: the IOAPIC's state fills the local chip union (512 bytes): the head, then 24 8-byte redirection
    // entries; the pin is checked against 24 before its entry is read.
    public unsafe bool IsIoApicPinMasked(int pin)
    {
        var chip = new kvm_irqchip { chip_id = KVM_IRQCHIP_IOAPIC };
        Sys.Ioctl(_fd, KVM_GET_IRQCHIP, ref chip, "KVM_GET_IRQCHIP");
        ulong* redirection = (ulong*)(chip.chip + sizeof(kvm_ioapic_state_head));
        return pin is < 0 or >= IoApicPins || (redirection[pin] & (1UL << 16)) != 0;
    }

    /// <summary>The pins of KVM's IOAPIC.</summary>
    public const int IoApicPins = 24;

    /// <summary>The guest's kvmclock now (KVM_GET_CLOCK): nanoseconds the guest has counted since its boot.</summary>
    public ulong GetClock()
    {
        var c = new kvm_clock_data();
        Sys.Ioctl(_fd, KVM_GET_CLOCK, ref c, "KVM_GET_CLOCK");
        return c.clock;
    }

    /// <summary>Sets the guest's kvmclock (KVM_SET_CLOCK), so it goes on from <paramref name="ns"/>.</summary>
    public void SetClock(ulong ns)
    {
        var c = new kvm_clock_data { clock = ns };
        Sys.Ioctl(_fd, KVM_SET_CLOCK, ref c, "KVM_SET_CLOCK");
    }

    /// <summary>Drives an interrupt line (GSI) high or low.</summary>
    public void SetIrqLine(uint gsi, bool high)
    {
        var l = new kvm_irq_level { irq = gsi, level = high ? 1u : 0u };
        Sys.Ioctl(_fd, KVM_IRQ_LINE, ref l, "KVM_IRQ_LINE");
    }

    /// <summary>Every write of <paramref name="len"/> bytes to addr signals the eventfd instead of exiting to us.</summary>
    public void AddIoEventFd(EventFd efd, ulong addr, uint len, bool pio) => IoEventFd(efd, addr, len, pio, 0);

    /// <summary>Undoes AddIoEventFd (the guest moved the BAR holding the doorbell).</summary>
    public void RemoveIoEventFd(EventFd efd, ulong addr, uint len, bool pio) => IoEventFd(efd, addr, len, pio, KVM_IOEVENTFD_FLAG_DEASSIGN);

    private void IoEventFd(EventFd efd, ulong addr, uint len, bool pio, uint flags)
    {
        var e = new kvm_ioeventfd { addr = addr, len = len, fd = efd.Fd, flags = flags | (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) };
        Sys.Ioctl(_fd, KVM_IOEVENTFD, ref e, "KVM_IOEVENTFD");
    }

    /// <summary>Signalling the eventfd raises the GSI (edge) in the kernel, without a trip through us.</summary>
    public void AddIrqFd(EventFd efd, uint gsi)
    {
        var i = new kvm_irqfd { fd = (uint)efd.Fd, gsi = gsi };
        Sys.Ioctl(_fd, KVM_IRQFD, ref i, "KVM_IRQFD");
    }

    // SAFETY: GsiRouting hands a pinned kvm_irq_routing with exactly nr entries after it.
    internal unsafe void SetGsiRouting(void* routing) => Sys.Ioctl(_fd, KVM_SET_GSI_ROUTING, routing, "KVM_SET_GSI_ROUTING");

    public KvmVcpu CreateVcpu(int id)
    {
        int fd = Sys.Ioctl(_fd, KVM_CREATE_VCPU, (ulong)id, "KVM_CREATE_VCPU");
        return new KvmVcpu(new SafeFd(fd), id, System.VcpuMmapSize);
    }

    public void Dispose() => _fd.Dispose();
}
