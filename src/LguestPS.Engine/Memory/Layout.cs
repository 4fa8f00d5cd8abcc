namespace LguestPS.Engine.Memory;

/*L:010
 * Every fixed guest-physical address the engine uses, in one place, with the
 * reason it lives there, and for each area of low memory its size. If two of
 * these overlap, the guest finds out the hard way, so LayoutTests checks they
 * do not, and watches the boot loader write only inside them.
 *
 * The low megabyte mimics what a PC BIOS would leave behind: a GDT, the zero
 * page, the command line, page tables and an MP table, none of which the
 * kernel needs once it has set up its own.
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
}
