using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:180
 * The MP table (Intel MultiProcessor Specification 1.4): how a kernel without
 * ACPI learns how many CPUs it has, where the IOAPIC is, and which IOAPIC pin
 * each interrupt arrives on. Linux looks for the 16-byte floating pointer
 * "_MP_" in the last KiB of base memory (Layout.MpTable); it points at the
 * configuration table "PCMP" (Layout.MpConfig, in the BIOS segment, where
 * firmware keeps it too). Both carry a checksum: all bytes sum to zero.
 *
 * The interrupt wiring it describes is KVM's, because KVM's in-kernel irqchip
 * does the wiring: its default routing sends GSI n to IOAPIC pin n (and, for
 * n < 16, to the 8259 input n too). So:
 *
 *  - ISA IRQ n -> pin n, edge/high as ISA buses are. That includes IRQ 0:
 *    KVM's PIT raises GSI 0 itself, with no "IRQ0 -> pin 2" detour as on real
 *    chipsets. IRQ 2 is left out: it is the 8259 cascade, no device can
 *    raise it, and announcing it would only invite a driver to ask for it.
 *  - PCI: INTA# of device d (1..31) -> pin 16 + (d-1) % 8, level-triggered,
 *    active high. Active high because that is how the VMM drives the line
 *    (KVM_IRQ_LINE level 1 means asserted, and KVM's IOAPIC ignores the
 *    polarity bit), as QEMU's firmware also declares it. Only INTA#: a
 *    virtio-pci function uses no other pin. The routing is the Pci layer's
 *    (PciIntx); the Vmm hands it down, so the table and the devices cannot
 *    drift apart.
 *  - Local interrupts: ExtINT -> LINT0 (the 8259 in virtual-wire mode) and
 *    NMI -> LINT1, on every local APIC, as in the spec's default
 *    configurations.
 *
 * Processor i has local APIC id i: KVM gives vCPU i that id. The IOAPIC takes
 * id cpus, the first one no CPU uses (on the old APIC bus all ids shared one
 * space), as long as its ID register can say so: that register has 4 bits
 * (27:24, as on the 82093AA; KVM's keeps no more), so from 16 CPUs on every id
 * it could hold is a CPU's, and it takes 15. That is no clash on an xAPIC
 * machine (any 64-bit one), where I/O APIC and local APIC ids live apart;
 * Linux's x86-64 io_apic_unique_id() only compares I/O APICs with each other.
 * What the table says and what the register reads must agree (MP spec 4.3.3,
 * "the ID of this I/O APIC"): the Machine sets the register from IoApicId too.
 */
public static class MpTable
{
    /// <summary>APIC ids are 8 bits, 0xFF is broadcast, and the IOAPIC needs one: 254 CPUs at most.</summary>
    public const int MaxCpus = Limits.MaxCpus;
    public const int PciBus = 0, IsaBus = 1, PciSlots = 32;

    private const int FloatSize = 16, HeaderSize = 44, CpuSize = 20, EntrySize = 8;
    private const byte TypeCpu = 0, TypeBus = 1, TypeIoApic = 2, TypeIoInt = 3, TypeLocalInt = 4;
    private const byte IntInt = 0, IntNmi = 1, IntExt = 3;
    private const ushort FlagsConform = 0, FlagsLevelHigh = 0b11_01; // trigger (bits 3:2) level, polarity (bits 1:0) high
    private const byte LocalApicVersion = 0x14, IoApicVersion = 0x11;
    private const uint CpuSignature = 0x600; // family 6; the kernel asks CPUID for the real thing
    private const uint CpuFeatures = 0x201;  // CPUID.1:EDX FPU and APIC
    private const byte AllLocalApics = 0xFF;

    /// <summary>The highest id the IOAPIC's 4-bit ID register holds.</summary>
    public const int IoApicIdMax = 15;

    /// <summary>The IOAPIC's id for a machine of cpus vCPUs (the table's, the MADT's and the register's).</summary>
    public static byte IoApicId(int cpus) => (byte)Math.Min(cpus, IoApicIdMax);

    /// <summary>
    /// Writes the floating pointer and the configuration table for cpus vCPUs, with INTA# of PCI slot s
    /// routed to IOAPIC pin pciIrq(s) (the Pci layer's wiring, handed down by the Vmm).
    /// </summary>
    public static void Write(GuestMemory mem, int cpus, Func<int, int> pciIrq)
    {
        byte[] config = BuildConfig(cpus, pciIrq);
        mem.Clear(Layout.MpConfig, Layout.MpConfigSize);
        mem.Write(Layout.MpConfig, config);
        mem.Clear(Layout.MpTable, Layout.MpTableSize);
        mem.Write(Layout.MpTable, BuildFloatingPointer((uint)Layout.MpConfig));
    }

    internal static byte[] BuildFloatingPointer(uint configGpa)
    {
        var f = new byte[FloatSize];
        "_MP_"u8.CopyTo(f);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(4), configGpa);
        f[8] = 1;  // length in 16-byte units
        f[9] = 4;  // spec revision 1.4
        // f[11] feature 1 = 0: a configuration table is present. f[12] bit 7 (IMCRP) = 0: virtual wire mode, no IMCR.
        f[10] = ZeroSum.Of(f);
        return f;
    }

    internal static byte[] BuildConfig(int cpus, Func<int, int> pciIrq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpus, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cpus, MaxCpus);
        byte ioapic = IoApicId(cpus);
        var t = new Writer(HeaderSize + cpus * CpuSize + 64 * EntrySize);
        t.Skip(HeaderSize);
        for (int i = 0; i < cpus; i++)
            t.Cpu((byte)i, enabled: true, bsp: i == 0);
        t.Bus(PciBus, "PCI   "u8);
        t.Bus(IsaBus, "ISA   "u8);
        t.IoApic(ioapic, (uint)Layout.IoApic);
        for (byte irq = 0; irq < 16; irq++)
            if (irq != 2) t.Int(TypeIoInt, IntInt, FlagsConform, IsaBus, irq, ioapic, irq);
        for (int dev = 1; dev < PciSlots; dev++)
            t.Int(TypeIoInt, IntInt, FlagsLevelHigh, PciBus, (byte)(dev << 2), ioapic, (byte)pciIrq(dev)); // source irq: device << 2 | pin (INTA# = 0)
        t.Int(TypeLocalInt, IntExt, FlagsConform, IsaBus, 0, AllLocalApics, 0);
        t.Int(TypeLocalInt, IntNmi, FlagsConform, IsaBus, 0, AllLocalApics, 1);

        var b = t.Bytes;
        "PCMP"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), (ushort)b.Length); // base table length
        b[6] = 4;                                                              // spec revision 1.4
        "LGUESTPS"u8.CopyTo(b.AsSpan(8));                                      // OEM id, 8 bytes
        "LGUEST-KVM  "u8.CopyTo(b.AsSpan(16));                                 // product id, 12 bytes
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), (ushort)t.Entries);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(36), (uint)Layout.LocalApic);
        b[7] = ZeroSum.Of(b);
        return b;
    }

    private sealed class Writer(int capacity)
    {
        private readonly byte[] _buf = new byte[capacity];
        private int _at;
        public int Entries { get; private set; }
        public byte[] Bytes => _buf.AsSpan(0, _at).ToArray();

        public void Skip(int n) => _at += n;

        private Span<byte> Next(int size, byte type)
        {
            var e = _buf.AsSpan(_at, size);
            e[0] = type;
            _at += size;
            Entries++;
            return e;
        }

        public void Cpu(byte apicId, bool enabled, bool bsp)
        {
            var e = Next(CpuSize, TypeCpu);
            e[1] = apicId;
            e[2] = LocalApicVersion;
            e[3] = (byte)((enabled ? 1 : 0) | (bsp ? 2 : 0));
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], CpuSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], CpuFeatures);
        }

        public void Bus(byte id, ReadOnlySpan<byte> name)
        {
            var e = Next(EntrySize, TypeBus);
            e[1] = id;
            name.CopyTo(e[2..]);
        }

        public void IoApic(byte id, uint address)
        {
            var e = Next(EntrySize, TypeIoApic);
            e[1] = id;
            e[2] = IoApicVersion;
            e[3] = 1; // enabled
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], address);
        }

        public void Int(byte entryType, byte intType, ushort flags, byte bus, byte busIrq, byte destId, byte destPin)
        {
            var e = Next(EntrySize, entryType);
            e[1] = intType;
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], flags);
            e[4] = bus;
            e[5] = busIrq;
            e[6] = destId;
            e[7] = destPin;
        }
    }
}
