using System.Buffers.Binary;
using System.Text;
using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

public class MpTableTests
{
    private static MpTableReader Written(int cpus, out GuestMemory mem)
    {
        mem = new GuestMemory(16 << 20);
        MpTable.Write(mem, cpus, PciIntx.GsiFor);
        return MpTableReader.Read(mem);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(MpTable.MaxCpus)]
    public void FloatingPointerAndConfigTableCheckOut(int cpus)
    {
        var t = Written(cpus, out var mem);
        using (mem)
        {
            Assert.Equal(Layout.MpTable, t.FloatingGpa);
            Assert.Equal(0, MpTableReader.Sum(t.Floating));
            Assert.Equal(1, t.Floating[8]);   // length: one paragraph
            Assert.Equal(4, t.Floating[9]);   // MP spec 1.4
            Assert.Equal(0, t.Floating[11]);  // a configuration table follows, no default configuration
            Assert.Equal(Layout.MpConfig, t.ConfigGpa);
            Assert.Equal("PCMP", Encoding.ASCII.GetString(t.Config, 0, 4));
            Assert.Equal(0, MpTableReader.Sum(t.Config));
            Assert.Equal(4, t.Config[6]);
            Assert.Equal("LGUESTPS", t.OemId);
            Assert.Equal(0xFEE0_0000u, t.LocalApic);
            Assert.True(t.ConfigGpa + (ulong)t.Config.Length <= Layout.HighMemory, "config table runs past the BIOS segment");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void DescribesEachCpuTheBusesAndTheIoApic(int cpus)
    {
        var t = Written(cpus, out var mem);
        mem.Dispose();
        var procs = t.Entries.Where(e => e[0] == 0).ToList();
        Assert.Equal(cpus, procs.Count);
        for (int i = 0; i < cpus; i++)
        {
            Assert.Equal(i, procs[i][1]);                          // APIC id = vCPU index
            Assert.Equal(i == 0 ? 3 : 1, procs[i][3]);            // enabled, BSP on CPU 0 only
            Assert.NotEqual(0u, BinaryPrimitives.ReadUInt32LittleEndian(procs[i].AsSpan(8)) & 0x200); // APIC feature
        }
        var buses = t.Entries.Where(e => e[0] == 1).Select(e => (e[1], Encoding.ASCII.GetString(e, 2, 6))).ToList();
        Assert.Equal([(0, "PCI   "), (1, "ISA   ")], buses);
        var ioapic = Assert.Single(t.Entries, e => e[0] == 2);
        Assert.Equal(cpus, ioapic[1]);
        Assert.Equal(0x11, ioapic[2]);
        Assert.Equal(1, ioapic[3]);
        Assert.Equal(0xFEC0_0000u, BinaryPrimitives.ReadUInt32LittleEndian(ioapic.AsSpan(4)));
        // Entries come in the spec's order: processors, buses, IOAPIC, I/O interrupts, local interrupts.
        var types = t.Entries.Select(e => e[0]).ToList();
        Assert.Equal(types.Order().ToList(), types);
    }

    [Theory]
    [InlineData(15, 15)]
    [InlineData(16, 15)]
    [InlineData(MpTable.MaxCpus, 15)]
    public void TheIoApicIdFitsItsFourBitRegister(int cpus, int id)
    {
        // KVM's IOAPIC ID register (bits 27:24) keeps four bits: an id of 16 would read back as 0.
        var t = Written(cpus, out var mem);
        mem.Dispose();
        Assert.Equal(id, Assert.Single(t.Entries, e => e[0] == 2)[1]);
        Assert.All(t.Entries.Where(e => e[0] == 3), e => Assert.Equal(id, e[6])); // every route names it
    }

    [Fact]
    public void IsaIrqsGoToTheSameIoApicPinExceptTheCascade()
    {
        var t = Written(2, out var mem);
        mem.Dispose();
        var isa = t.Entries.Where(e => e[0] == 3 && e[4] == MpTable.IsaBus).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i != 2), isa.Select(e => (int)e[5]));
        Assert.All(isa, e =>
        {
            Assert.Equal(0, e[1]);                                    // INT
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(2))); // conforms to ISA: edge, high
            Assert.Equal(2, e[6]);                                    // the IOAPIC's id
            Assert.Equal(e[5], e[7]);                                 // IRQ n -> pin n (KVM's GSI routing)
        });
    }

    [Fact]
    public void PciInterruptsFollowThePciLayersWiring()
    {
        var t = Written(1, out var mem);
        mem.Dispose();
        var pci = t.Entries.Where(e => e[0] == 3 && e[4] == MpTable.PciBus).ToList();
        Assert.Equal(31, pci.Count);
        foreach (var e in pci)
        {
            int dev = e[5] >> 2;
            Assert.Equal(0, e[5] & 3);                                // INTA#
            Assert.Equal(0b1101, BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(2))); // level, active high
            Assert.Equal(PciIntx.GsiFor(dev), e[7]);
        }
        Assert.Equal(Enumerable.Range(1, 31), pci.Select(e => e[5] >> 2));
    }

    [Fact]
    public void LocalInterruptsAreExtIntOnLint0AndNmiOnLint1()
    {
        var t = Written(2, out var mem);
        mem.Dispose();
        var local = t.Entries.Where(e => e[0] == 4).ToList();
        Assert.Equal(2, local.Count);
        Assert.Equal([3, 1], local.Select(e => (int)e[1]));   // ExtINT, NMI
        Assert.Equal([0, 1], local.Select(e => (int)e[7]));   // LINT0, LINT1
        Assert.All(local, e => Assert.Equal(0xFF, e[6]));    // every local APIC
    }

    [Fact]
    public void RewritingWithFewerCpusLeavesNoStaleEntries()
    {
        using var mem = new GuestMemory(16 << 20);
        MpTable.Write(mem, 8, PciIntx.GsiFor);
        MpTable.Write(mem, 1, PciIntx.GsiFor);
        var t = MpTableReader.Read(mem);
        Assert.Single(t.Entries, e => e[0] == 0);
        ulong end = t.ConfigGpa + (ulong)t.Config.Length;
        Assert.All(mem.Slice(end, (int)(Layout.HighMemory - end)).ToArray(), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(MpTable.MaxCpus + 1)]
    public void LoadRefusesCpuCountsTheTableCannotDescribe(int cpus)
    {
        using var files = new TempFiles();
        using var k = KernelImage.Open(files.Write(new BzImageBuilder().Build()));
        using var mem = new GuestMemory(64 << 20);
        var e = Assert.Throws<EngineException>(() => BootLoader.Load(mem, k, null, "", cpus, PciIntx.GsiFor));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
        Assert.Contains("--cpus", e.Message);
    }
}
