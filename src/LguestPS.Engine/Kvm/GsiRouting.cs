using LguestPS.Engine.Interop;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/*L:060
 * Where each GSI (KVM's global interrupt number) goes. KVM starts with a
 * table sending GSI n to IOAPIC pin n (and to the 8259s below 16), which is
 * what our MP table promises. MSI-X vectors need GSIs of their own that carry
 * a message instead of a pin; KVM_SET_GSI_ROUTING replaces the *whole* table,
 * so we keep the default entries and add ours after them.
 */
public sealed class GsiRouting
{
    public const uint IoApicPins = 24, FirstMsiGsi = 24;
    private readonly KvmVm _vm;
    private readonly List<(uint Gsi, uint AddrLo, uint AddrHi, uint Data)> _msi = new();
    private readonly object _lock = new();
    private uint _nextGsi = FirstMsiGsi;

    public GsiRouting(KvmVm vm) => _vm = vm;

    /// <summary>Reserves a GSI for an MSI vector (routed nowhere until Set).</summary>
    public uint AllocateMsi()
    {
        lock (_lock)
        {
            uint gsi = _nextGsi++;
            _msi.Add((gsi, 0, 0, 0));
            return gsi;
        }
    }

    /// <summary>Points an MSI GSI at a message (address and data as the guest wrote them into the MSI-X table).</summary>
    public void SetMsi(uint gsi, ulong address, uint data)
    {
        lock (_lock)
        {
            int i = _msi.FindIndex(m => m.Gsi == gsi);
            if (i < 0) throw new ArgumentException($"GSI {gsi} is not an MSI route");
            var next = (gsi, (uint)address, (uint)(address >> 32), data);
            if (_msi[i] == next) return;
            _msi[i] = next;
            Commit();
        }
    }

    // SAFETY: the pinned buffer is sized for the kvm_irq_routing header and n entries; k counts the
    // entries written, and the three loops write IoApicPins + 16 + _msi.Count = n of them, no more.
    private unsafe void Commit()
    {
        int n = (int)IoApicPins + 16 + _msi.Count;
        byte[] buf = new byte[sizeof(kvm_irq_routing) + n * sizeof(kvm_irq_routing_entry)];
        fixed (byte* p = buf)
        {
            ((kvm_irq_routing*)p)->nr = (uint)n;
            var e = (kvm_irq_routing_entry*)(p + sizeof(kvm_irq_routing));
            int k = 0;
            for (uint pin = 0; pin < IoApicPins; pin++)
                e[k++] = new kvm_irq_routing_entry { gsi = pin, type = KVM_IRQ_ROUTING_IRQCHIP, u0 = KVM_IRQCHIP_IOAPIC, u1 = pin };
            for (uint irq = 0; irq < 16; irq++)
                e[k++] = new kvm_irq_routing_entry
                {
                    gsi = irq, type = KVM_IRQ_ROUTING_IRQCHIP,
                    u0 = irq < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, u1 = irq % 8,
                };
            foreach (var m in _msi)
                e[k++] = new kvm_irq_routing_entry { gsi = m.Gsi, type = KVM_IRQ_ROUTING_MSI, u0 = m.AddrLo, u1 = m.AddrHi, u2 = m.Data };
            _vm.SetGsiRouting(p);
        }
    }
}
