using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:170
 * The vCPU as the kernel must find it at its first instruction. The 64-bit
 * boot protocol (boot.rst) asks for: 64-bit mode with paging on; identity
 * mappings for the kernel, zero page and command line; a GDT with flat
 * __BOOT_CS (0x10) and __BOOT_DS (0x18), CS loaded with the first and
 * DS/ES/SS with the second; interrupts off; %rsi holding the zero page.
 *
 * What we chose where it leaves room:
 *  - CR0 = PE | ET | NE | PG. PE and PG are what long mode needs. ET reads
 *    as 1 on every CPU since the 486 (KVM forces it anyway). NE asks for
 *    native FPU error reporting, the only mode VMX runs a guest in and what
 *    Linux sets itself. CD and NW (set at reset) are clear: caches on. WP,
 *    MP and AM are left for the kernel's own CR0 (head_64.S sets them).
 *  - CR4 = PAE (long mode's page-table format). Nothing else: no PGE, no
 *    OSFXSR; the kernel decides those once it has probed CPUID.
 *  - EFER = LME | LMA. SCE and NXE are the kernel's business (our page
 *    tables do not use the NX bit, so NXE would change nothing).
 *  - FS and GS hold __BOOT_DS too, as boot.rst recommends of loaders.
 *  - TR: long mode forbids an unusable task register, and VMX insists on a
 *    busy 64-bit TSS (type 11). Ours is KVM's reset TR made legal for long
 *    mode: selector 0, base 0, 0x68 bytes (no I/O bitmap). Its stack fields
 *    are zero and never used: no privilege change or IST interrupt can
 *    happen before the kernel loads its own TR.
 *  - LDTR: KVM's reset value (present, type 2, limit 0xFFFF, selector 0);
 *    nothing refers to it, since no selector has TI set.
 *  - IDT: base Layout.Idt, limit 0. Any exception before the kernel's own
 *    IDT is a triple fault, which the VMM reports, rather than a jump into
 *    whatever bytes were at 0.
 *  - RSP: Layout.BootStackTop. The protocol promises no stack, Linux sets
 *    its own first thing, but a push through RSP=0 would fault (we have no
 *    IDT), so we hand over one page.
 *  - Every other general register is zero (boot.rst's 32-bit protocol asks
 *    for %ebp, %edi, %ebx zero; zero is right for the rest too).
 *
 * Only the boot CPU starts here. Application processors wait for INIT/SIPI
 * from the kernel, which finds them in the MP table.
 */
public sealed record CpuState
{
    public required ulong Rip { get; init; }
    public required ulong Rsi { get; init; }
    public required ulong Rsp { get; init; }
    public required ulong Rflags { get; init; }
    public required ulong Cr0 { get; init; }
    public required ulong Cr3 { get; init; }
    public required ulong Cr4 { get; init; }
    public required ulong Efer { get; init; }
    public required Segment Cs { get; init; }
    public required Segment Ds { get; init; }
    public required Segment Es { get; init; }
    public required Segment Fs { get; init; }
    public required Segment Gs { get; init; }
    public required Segment Ss { get; init; }
    public required Segment Tr { get; init; }
    public required Segment Ldt { get; init; }
    public required DescriptorTable Gdt { get; init; }
    public required DescriptorTable Idt { get; init; }

    /// <summary>The state for jumping to a 64-bit kernel entry with the zero page at bootParams.</summary>
    public static CpuState LongModeEntry(ulong entry, ulong bootParams)
    {
        Segment data = Boot.Gdt.SegmentFor(Boot.Gdt.DataSelector);
        return new CpuState
        {
            Rip = entry,
            Rsi = bootParams,
            Rsp = Layout.BootStackTop,
            Rflags = X86.RFLAGS_FIXED,
            Cr0 = X86.CR0_PE | X86.CR0_ET | X86.CR0_NE | X86.CR0_PG,
            Cr3 = Layout.Pml4,
            Cr4 = X86.CR4_PAE,
            Efer = X86.EFER_LME | X86.EFER_LMA,
            Cs = Boot.Gdt.SegmentFor(Boot.Gdt.CodeSelector),
            Ds = data, Es = data, Fs = data, Gs = data, Ss = data,
            Tr = new Segment(Base: Layout.Tss, Limit: (uint)Layout.TssSize - 1, Selector: 0, Type: X86.SEG_TYPE_TSS64_BUSY,
                Present: true, Dpl: 0, Db: false, S: false, L: false, G: false),
            Ldt = new Segment(Base: 0, Limit: 0xFFFF, Selector: 0, Type: X86.SEG_TYPE_LDT,
                Present: true, Dpl: 0, Db: false, S: false, L: false, G: false),
            Gdt = new DescriptorTable(Layout.Gdt, Boot.Gdt.Limit),
            Idt = new DescriptorTable(Layout.Idt, 0),
        };
    }
}
