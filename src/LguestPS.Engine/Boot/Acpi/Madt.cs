using System.Buffers.Binary;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot.Acpi;

/*L:210
 * The Multiple APIC Description Table, "APIC" (ACPI 6.5, 5.2.12): for an
 * ACPI guest, what the MP table is for the others. It says the same things
 * (MpTable says why): vCPU i has local APIC id i and ACPI processor UID i,
 * the one IOAPIC sits at Layout.IoApic with the id MpTable.IoApicId gives it
 * and owns GSIs from 0, and every LINT1 is NMI. ISA IRQ n arrives at GSI n,
 * as ACPI presumes when no Interrupt Source Override says otherwise, so
 * there are none. PCAT_COMPAT: the 8259 pair is there too (KVM's), and an
 * OS that takes the APICs must mask it.
 */
public static class Madt
{
    /// <summary>The revision whose processor flags we use (ACPI 6.3's Online Capable; ours are all plainly enabled).</summary>
    public const byte Revision = 5;
    public const byte TypeLocalApic = 0, TypeIoApic = 1, TypeLocalApicNmi = 4;
    private const uint PcatCompat = 1, Enabled = 1;
    private const byte AllProcessors = 0xFF;

    public static byte[] Build(int cpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpus, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cpus, MpTable.MaxCpus);
        var b = new List<byte>();
        b.AddRange(U32((uint)Layout.LocalApic));
        b.AddRange(U32(PcatCompat));
        for (int i = 0; i < cpus; i++)
            b.AddRange([TypeLocalApic, 8, (byte)i, (byte)i, .. U32(Enabled)]);    // UID, APIC id, flags
        b.AddRange([TypeIoApic, 12, MpTable.IoApicId(cpus), 0, .. U32((uint)Layout.IoApic), .. U32(0)]); // GSI base 0
        b.AddRange([TypeLocalApicNmi, 6, AllProcessors, 0, 0, 1]);              // flags: conforming; LINT1
        return SdtHeader.Table("APIC", Revision, b.ToArray());
    }

    private static byte[] U32(uint v)
    {
        var x = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(x, v);
        return x;
    }
}
