namespace LguestPS.Engine.Memory;

/*L:010
 * Every fixed guest-physical address the engine uses, in one place, with the
 * reason it lives there, and for each area of low memory its size. If two of
 * these overlap, the guest finds out the hard way, so LayoutTests checks they
 * do not, and watches the boot loader write only inside them.
 *
 * The low megabyte mimics what a PC BIOS would leave behind: a GDT, the zero
 * page, the command line, page tables, an MP table and the ACPI tables, none
 * of which the kernel needs once it has set up its own. The fixed I/O ports
 * and ISA interrupt lines of the board are here too: the firmware tables
 * describe them and the devices answer on them, and both read them here.
 */
public static class Layout
{
    private const ulong Page = 0x1000;

    /// <summary>The 64-bit TSS that TR points at (Intel SDM vol. 3, 8.7: 104 bytes), zeroed: no I/O bitmap, no stacks.</summary>
    public const ulong Tss = 0x0;
    public const ulong TssSize = 0x68;
    /// <summary>The flat GDT the 64-bit boot protocol asks for (__BOOT_CS = 0x10, __BOOT_DS = 0x18): four descriptors.</summary>
    public const ulong Gdt = 0x500;
    public const ulong GdtSize = 4 * 8;
    /// <summary>An empty IDT (limit 0): the guest must not take an interrupt before it loads its own. One 16-byte gate, cleared.</summary>
    public const ulong Idt = 0x520;
    public const ulong IdtSize = 16;
    /// <summary>The zero page (struct boot_params, one page), handed to the kernel in %rsi.</summary>
    public const ulong BootParams = 0x7000;
    public const ulong BootParamsSize = Page;
    /// <summary>Top of the boot stack page [0x8000, 0x9000). The boot protocol promises no stack, but a push before the kernel sets its own must not fault.</summary>
    public const ulong BootStackTop = 0x9000;
    public const ulong BootStackSize = Page;
    /// <summary>Identity page tables: PML4, one PDPT, then four page directories of 2 MiB pages (4 GiB), a page each.</summary>
    public const ulong Pml4 = 0x9000;
    public const ulong Pdpt = 0xA000;
    public const ulong PageDirs = 0xB000;
    public const int PageDirCount = 4;
    public const ulong PageTableSize = Page;
    /// <summary>Command line buffer. The boot protocol lets it live anywhere below 4 GiB after the zero page.</summary>
    public const ulong CmdLine = 0x20000;
    public const int CmdLineMax = 0x10000;
    /// <summary>MP floating pointer ("_MP_"): Linux scans the last KiB of base memory (639 KiB), which is ours.</summary>
    public const ulong MpTable = 0x9FC00;
    public const ulong MpTableSize = BaseMemoryEnd - MpTable;
    /// <summary>
    /// ACPI tables in [0xE0000, 0xF0000), reserved in e820, RSDP first: Linux looks for "RSD PTR " on
    /// 16-byte boundaries in 0xE0000-0xFFFFF (and finds it sooner in boot_params.acpi_rsdp_addr).
    /// 64 KiB holds the tables for 254 vCPUs several times over.
    /// </summary>
    public const ulong AcpiTables = 0xE0000;
    public const ulong AcpiTablesSize = 0x10000;
    public const ulong AcpiTablesEnd = AcpiTables + AcpiTablesSize;
    /// <summary>MP configuration table ("PCMP") in the BIOS segment [0xF0000, 0x100000), reserved in e820: room for 254 vCPUs, where 1 KiB at MpTable holds 27.</summary>
    public const ulong MpConfig = 0xF0000;
    public const ulong MpConfigSize = HighMemory - MpConfig;
    /// <summary>End of conventional RAM below the legacy VGA/BIOS hole.</summary>
    public const ulong EbdaStart = 0x9FC00;
    /// <summary>End of base memory (640 KiB): the legacy VGA window starts here.</summary>
    public const ulong BaseMemoryEnd = 0xA0000;
    /// <summary>First byte after the legacy hole; bzImages that cannot relocate load here.</summary>
    public const ulong HighMemory = 0x100000;
    /// <summary>RAM stops here and resumes at 4 GiB: the gap holds PCI BARs, the IOAPIC and the LAPIC.</summary>
    public const ulong MmioHoleStart = 0xC000_0000;
    public const ulong FourGiB = 0x1_0000_0000;
    /// <summary>Where PCI BARs are allocated (inside the hole, below the IOAPIC).</summary>
    public const ulong PciMmioStart = 0xC000_0000;
    public const ulong PciMmioEnd = 0xFE00_0000;
    public const ulong IoApic = 0xFEC0_0000;
    public const ulong LocalApic = 0xFEE0_0000;
    /// <summary>Three pages KVM needs for the real-mode TSS on Intel, and one for its identity map, at the top of the hole.</summary>
    public const ulong KvmIdentityMap = 0xFEFF_C000;
    public const ulong KvmTss = 0xFEFF_D000;

    // I/O ports and ISA interrupt lines.

    /// <summary>The PS/2 controller (i8042): data, and status/command; its keyboard interrupt.</summary>
    public const ushort I8042Data = 0x60, I8042Command = 0x64;
    public const int I8042KeyboardIrq = 1;
    /// <summary>The first serial port, as every PC has it.</summary>
    public const ushort Com1 = 0x3F8;
    public const int Com1Irq = 4;
    /// <summary>
    /// The ACPI hardware-reduced registers (ACPI 6.5, 4.8.3.7 and 4.8.3.6), one port each, where
    /// cloud-hypervisor keeps its own: +0 SLEEP_CONTROL, +1 SLEEP_STATUS, +2 RESET, +3 the GED's
    /// event register. Below 0x1000, so the PCI I/O window cannot cover them.
    /// </summary>
    public const ushort AcpiPorts = 0x600;
    public const int AcpiPortCount = 4;
    public const ushort AcpiSleepControl = AcpiPorts, AcpiSleepStatus = AcpiPorts + 1, AcpiReset = AcpiPorts + 2,
        GedEvents = AcpiPorts + 3;
    /// <summary>The values the tables promise and the device honours: \_S5's SLP_TYP, the FADT's RESET_VALUE.</summary>
    public const byte AcpiSleepTypeS5 = 5, AcpiResetValue = 1;
    /// <summary>Bits of the GED's event register: one per event its _EVT method knows.</summary>
    public const byte GedEventPowerButton = 1 << 0;
    /// <summary>
    /// The GED's interrupt (ACPI0013): ISA line 9, the SCI of a full-hardware PC, which a hardware-reduced
    /// platform does not have. Level-triggered: it stays up until the guest reads the event register.
    /// </summary>
    public const int GedIrq = 9;
    /// <summary>PCI I/O window of the host bridge: everything above the legacy ports. We place no I/O BARs; a guest may.</summary>
    public const ushort PciIoStart = 0x1000;
}
