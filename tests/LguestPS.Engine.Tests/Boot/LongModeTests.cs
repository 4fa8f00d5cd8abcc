using LguestPS.Engine.Boot;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>Page tables, GDT and the initial register state: what the vCPU needs to be in 64-bit mode at the entry.</summary>
public class LongModeTests
{
    [Fact]
    public void PageTablesIdentityMapTheFirstFourGiB()
    {
        using var mem = new GuestMemory(64 << 20);
        PageTables.Write(mem);
        var state = CpuState.LongModeEntry(0x100_0200, Layout.BootParams);
        ulong[] samples = [0, 0x7000, 0x9FC00, 0x100_0200, 0x3FFF_FFFF, 0x4000_0000, 0xBFFF_FFFF, 0xFEC0_0000, 0xFFFF_FFFF];
        foreach (ulong va in samples)
            Assert.Equal(va, PageWalker.Translate(mem, state.Cr3, va));
        for (ulong va = 0; va < Layout.FourGiB; va += 0x20_0000 + 0x1234)
            Assert.Equal(va, PageWalker.Translate(mem, state.Cr3, va));
        Assert.Null(PageWalker.Translate(mem, state.Cr3, Layout.FourGiB));        // nothing above 4 GiB
        Assert.Null(PageWalker.Translate(mem, state.Cr3, 0xFFFF_FFFF_8100_0000)); // nor the kernel's high half
    }

    [Fact]
    public void PageTableEntriesArePresentWritableAndNothingElse()
    {
        using var mem = new GuestMemory(64 << 20);
        mem.Slice(Layout.Pml4, 0x1000).Fill(0xFF); // garbage from a previous life
        PageTables.Write(mem);
        Assert.Equal(Layout.Pdpt | 3, mem.Read<ulong>(Layout.Pml4));
        Assert.Equal(0UL, mem.Read<ulong>(Layout.Pml4 + 8));
        Assert.Equal(0x4000_0000UL | 0x83, mem.Read<ulong>(Layout.PageDirs + 0x1000));
    }

    [Fact]
    public void GdtHoldsFlatBootCodeAndData()
    {
        using var mem = new GuestMemory(1 << 20);
        Gdt.Write(mem);
        Assert.Equal(0UL, mem.Read<ulong>(Layout.Gdt));
        Assert.Equal(0UL, mem.Read<ulong>(Layout.Gdt + 8));
        Assert.Equal(Gdt.Code64, mem.Read<ulong>(Layout.Gdt + Gdt.CodeSelector));
        Assert.Equal(Gdt.Data, mem.Read<ulong>(Layout.Gdt + Gdt.DataSelector));
        Assert.True(Layout.Gdt + Gdt.Limit < Layout.Idt, "the GDT runs into the IDT");
    }

    [Fact]
    public void SegmentsAreTheGdtDescriptorsDecoded()
    {
        var s = CpuState.LongModeEntry(0x100_0200, Layout.BootParams);
        Assert.Equal(new Segment(Base: 0, Limit: 0xFFFF_FFFF, Selector: 0x10, Type: 0xB, Present: true, Dpl: 0,
            Db: false, S: true, L: true, G: true), s.Cs);
        var data = new Segment(Base: 0, Limit: 0xFFFF_FFFF, Selector: 0x18, Type: 0x3, Present: true, Dpl: 0,
            Db: true, S: true, L: false, G: true);
        Assert.Equal([data, data, data, data, data], new[] { s.Ds, s.Es, s.Fs, s.Gs, s.Ss });
        Assert.Equal(new DescriptorTable(Layout.Gdt, 31), s.Gdt);
        Assert.Equal(new DescriptorTable(Layout.Idt, 0), s.Idt);
    }

    [Fact]
    public void RegistersAreInLongModeWithInterruptsOff()
    {
        var s = CpuState.LongModeEntry(0x100_0200, Layout.BootParams);
        Assert.Equal(0x100_0200UL, s.Rip);
        Assert.Equal(Layout.BootParams, s.Rsi);
        Assert.Equal(0x2UL, s.Rflags);                       // IF clear
        Assert.Equal(0x8000_0031UL, s.Cr0);                  // PG | NE | ET | PE
        Assert.Equal(0x20UL, s.Cr4);                         // PAE
        Assert.Equal(0x500UL, s.Efer);                       // LMA | LME
        Assert.Equal(Layout.Pml4, s.Cr3);
        Assert.Equal(0UL, s.Rsp % 16);
    }

    [Fact]
    public void TaskAndLdtRegistersPassVmEntryChecks()
    {
        var s = CpuState.LongModeEntry(0x100_0200, Layout.BootParams);
        // SDM 26.3.1.2: TR usable, type 11 (busy 64-bit TSS) in IA-32e mode, S=0, P=1, TI=0, limit consistent with G.
        Assert.Equal(11, s.Tr.Type);
        Assert.True(s.Tr.Present);
        Assert.False(s.Tr.S);
        Assert.False(s.Tr.Unusable);
        Assert.Equal(0, s.Tr.Selector & 4);
        Assert.False(s.Tr.G);
        Assert.True(s.Tr.Limit <= 0xFFFFF);
        Assert.Equal(2, s.Ldt.Type);
        Assert.False(s.Ldt.S);
    }

    [Fact]
    public void TheBootStackSitsInFreeLowMemory()
    {
        // The page below BootStackTop holds nothing else: not the zero page, not the page tables.
        ulong bottom = Layout.BootStackTop - 0x1000;
        Assert.True(bottom >= Layout.BootParams + 0x1000);
        Assert.True(Layout.BootStackTop <= Layout.Pml4);
    }
}
