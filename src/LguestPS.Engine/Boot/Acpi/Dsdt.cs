using LguestPS.Engine.Memory;
using static LguestPS.Engine.Boot.Acpi.Aml;

namespace LguestPS.Engine.Boot.Acpi;

/*L:220
 * The Differentiated System Description Table: the namespace a guest's ACPI
 * interpreter builds at boot. In ASL it reads:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) { PNP0A03, bus 0, config ports 0xCF8-0xCFF, I/O and memory windows, _PRT }
 *     Device (COM1) { PNP0501, ports 0x3F8-0x3FF, IRQ 4 }
 *     Device (PS2K) { PNP0303, ports 0x60 and 0x64, IRQ 1 }
 *     Device (PWRB) { PNP0C0C }
 *     Device (GED0) { ACPI0013, GSI 9 level; _EVT reads the event port, Notify (PWRB, 0x80) }
 *     Device (C000) ... { ACPI0007, _UID n }   one per vCPU
 *   }
 *   Name (\_S5, Package () { 5, 0, 0, 0 })
 *
 * The power button is how a host asks an ACPI guest to shut down (as the
 * button on a PC's front asks its OS). A hardware-reduced platform has no
 * fixed power button, so it is a control-method device, and its press
 * travels through the Generic Event Device (ACPI 6.5, 5.6.9): the engine
 * sets a bit in the GED's event register and raises the GED's interrupt;
 * the OS runs _EVT, which reads (and so clears) the register and notifies
 * PWRB with 0x80, "button pressed" (4.8.3.1.2). The interrupt is level-
 * triggered and falls when the register is read, so no press is lost to a
 * missed edge.
 *
 * The PCI bridge is conventional PCI (PNP0A03, no PNP0A08: we have no
 * ECAM), so no _OSC. Its windows are the engine's: bus 0, I/O from 0x1000
 * (above every fixed port), memory [PciMmioStart, PciMmioEnd) where the
 * engine puts BARs. _PRT routes INTA# of each slot straight to its IOAPIC
 * pin, the GSI the board's wiring (handed down as pciIrq, the same the MP
 * table gets) gives, with no link devices: the pin is wired, not programmable.
 */
public static class Dsdt
{
    public const byte Revision = 2; // 64-bit integers

    public static byte[] Build(int cpus, Func<int, int> pciIrq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpus, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cpus, MpTable.MaxCpus);
        byte[] aml =
        [
            .. Scope("\\_SB", [PciHostBridge(pciIrq), Com1(), Keyboard(), PowerButton(), Ged(), .. Processors(cpus)]),
            .. Name("\\_S5", Package(Int(Layout.AcpiSleepTypeS5), Zero, Zero, Zero)),
        ];
        return SdtHeader.Table("DSDT", Revision, aml);
    }

    private static byte[] PciHostBridge(Func<int, int> pciIrq)
    {
        var crs = new ResourceTemplate()
            .WordBusNumber(0, 0)
            .Io(0xCF8, 8)
            .WordIo(Layout.PciIoStart, 0xFFFF)
            .DWordMemory((uint)Layout.PciMmioStart, (uint)(Layout.PciMmioEnd - 1));
        // _PRT entries (6.2.13): address (device << 16 | 0xFFFF: any function), pin (0 = INTA#), source (0: a GSI), GSI.
        var prt = Enumerable.Range(1, 31)
            .Select(dev => Package(Int((uint)dev << 16 | 0xFFFF), Zero, Zero, Int((ulong)pciIrq(dev))))
            .ToArray();
        return Device("PCI0",
            Name("_HID", EisaId("PNP0A03")),
            Name("_UID", Zero),
            Name("_SEG", Zero),
            Name("_BBN", Zero),
            Name("_CRS", crs.ToAml()),
            Name("_PRT", Package(prt)));
    }

    private static byte[] Com1() => Device("COM1",
        Name("_HID", EisaId("PNP0501")),
        Name("_UID", One),
        Name("_CRS", new ResourceTemplate().Io(Layout.Com1, 8).IrqNoFlags(Layout.Com1Irq).ToAml()));

    private static byte[] Keyboard() => Device("PS2K",
        Name("_HID", EisaId("PNP0303")),
        Name("_CRS", new ResourceTemplate().Io(Layout.I8042Data, 1).Io(Layout.I8042Command, 1)
            .IrqNoFlags(Layout.I8042KeyboardIrq).ToAml()));

    private static byte[] PowerButton() => Device("PWRB",
        Name("_HID", EisaId("PNP0C0C")),
        Name("_UID", Zero));

    private static byte[] Ged() => Device("GED0",
        Name("_HID", String("ACPI0013")),
        Name("_UID", Zero),
        Name("_CRS", new ResourceTemplate().Interrupt(Layout.GedIrq, level: true).ToAml()),
        OperationRegion("GEVR", SystemIo, Layout.GedEvents, 1),
        Field("GEVR", ByteAccNoLockPreserve, ("GEVT", 8)),
        Method("_EVT", 1, serialized: true,
            Store(Path("GEVT"), Local0),
            If(And(Local0, Int(Layout.GedEventPowerButton)),
                Notify("\\_SB.PWRB", 0x80))));

    private static IEnumerable<byte[]> Processors(int cpus) =>
        Enumerable.Range(0, cpus).Select(i => Device($"C{i:X3}",
            Name("_HID", String("ACPI0007")),
            Name("_UID", Int((ulong)i))));
}
