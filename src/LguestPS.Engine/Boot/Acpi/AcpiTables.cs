using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot.Acpi;

/*L:190
 * ACPI, hardware-reduced, as Firecracker and cloud-hypervisor give it: five
 * tables in [Layout.AcpiTables, Layout.AcpiTablesEnd), next to the MP table
 * (which stays, for guests without ACPI or booted with acpi=off).
 *
 *   RSDP -> XSDT -> FADT -> DSDT     power-off, reset, the namespace of devices
 *                -> MADT             the CPUs and the IOAPIC
 *
 * The RSDP goes first, at the bottom of the area, on a 16-byte boundary
 * where Linux's scan of 0xE0000-0xFFFFF finds it; the zero page also says
 * where it is (acpi_rsdp_addr), which spares the scan. Each table follows
 * the last on a 16-byte boundary, built before the ones that point at it.
 */
public static class AcpiTables
{
    /// <summary>Writes the tables for cpus vCPUs, INTA# of slot s on pin pciIrq(s); returns the RSDP's address.</summary>
    public static ulong Write(GuestMemory mem, int cpus, Func<int, int> pciIrq)
    {
        mem.Clear(Layout.AcpiTables, Layout.AcpiTablesEnd - Layout.AcpiTables);
        ulong rsdp = Layout.AcpiTables;
        ulong next = Align(rsdp + Rsdp.Size);

        ulong Place(byte[] table)
        {
            ulong at = next;
            if (at + (ulong)table.Length > Layout.AcpiTablesEnd)
                throw new InvalidOperationException($"the ACPI tables outgrow [0x{Layout.AcpiTables:x}, 0x{Layout.AcpiTablesEnd:x})");
            mem.Write(at, table);
            next = Align(at + (ulong)table.Length);
            return at;
        }

        ulong dsdt = Place(Dsdt.Build(cpus, pciIrq));
        ulong fadt = Place(Fadt.Build(dsdt));
        ulong madt = Place(Madt.Build(cpus));
        ulong xsdt = Place(Xsdt.Build(fadt, madt));
        mem.Write(rsdp, Rsdp.Build(xsdt));
        return rsdp;
    }

    private static ulong Align(ulong a) => (a + 15) & ~15UL;
}
