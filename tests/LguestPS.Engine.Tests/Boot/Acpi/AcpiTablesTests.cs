using System.Text;
using LguestPS.Engine.Boot.Acpi;
using LguestPS.Engine.Boot;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using static LguestPS.Engine.Tests.Boot.Acpi.AcpiReader;

namespace LguestPS.Engine.Tests.Boot.Acpi;

/// <summary>The tables as an OS finds them in guest memory: where, checksums, lengths, and what each says (offsets from ACPI 6.5).</summary>
public class AcpiTablesTests
{
    private static AcpiReader Written(int cpus)
    {
        using var mem = new GuestMemory(16 << 20);
        ulong rsdp = AcpiTables.Write(mem, cpus, PciIntx.GsiFor);
        var r = AcpiReader.Read(mem);
        Assert.Equal(rsdp, r.RsdpGpa);
        return r;
    }

    public static TheoryData<int> CpuCounts => new() { 1, 2, 15, 16, 64, MpTable.MaxCpus };

    [Theory]
    [MemberData(nameof(CpuCounts))]
    public void RsdpIsWhereLinuxScansAndEveryChecksumHolds(int cpus)
    {
        var r = Written(cpus);
        Assert.Equal(0UL, r.RsdpGpa % 16);
        Assert.InRange(r.RsdpGpa, 0xE0000UL, 0xFFFFFUL);
        Assert.Equal(0, Sum(r.Rsdp.AsSpan(0, 20)));          // ACPI 1.0 checksum
        Assert.Equal(0, Sum(r.Rsdp));                         // extended checksum
        Assert.Equal(2, r.Rsdp[15]);                          // revision: XSDT present
        Assert.Equal(36u, U32(r.Rsdp, 20));
        Assert.Equal(0u, U32(r.Rsdp, 16));                    // no RSDT
        Assert.Equal(["APIC", "DSDT", "FACP", "XSDT"], r.Tables.Keys.Order());
        foreach (var (sig, (gpa, bytes)) in r.Tables)
        {
            Assert.True(Sum(bytes) == 0, $"{sig} checksum");
            Assert.Equal(0UL, gpa % 8);
            Assert.True(gpa >= Layout.AcpiTables && gpa + (ulong)bytes.Length <= Layout.AcpiTablesEnd, $"{sig} at 0x{gpa:x} leaves the ACPI area");
            Assert.Equal("LGUEST", Encoding.ASCII.GetString(bytes, 10, 6));
        }
        var spans = r.Tables.Values.Select(t => (Gpa: t.Gpa, End: t.Gpa + (ulong)t.Bytes.Length)).Append((Gpa: r.RsdpGpa, End: r.RsdpGpa + 36)).ToList();
        foreach (var a in spans)
            Assert.Single(spans, b => a.Gpa < b.End && b.Gpa < a.End); // only itself: no two tables overlap
    }

    [Fact]
    public void FadtIsHardwareReducedWithSleepAndResetRegistersOnOurPorts()
    {
        var f = Written(1)["FACP"];
        Assert.Equal(276, f.Length);
        Assert.Equal(6, f[8]);                                // revision 6
        Assert.Equal(5, f[131]);                              // minor version: ACPI 6.5
        uint flags = U32(f, 112);
        Assert.NotEqual(0u, flags & 1 << 20);                 // HW_REDUCED_ACPI
        Assert.NotEqual(0u, flags & 1 << 10);                 // RESET_REG_SUP
        Assert.NotEqual(0u, flags & 1 << 4);                  // PWR_BUTTON: a control-method power button
        Assert.Equal((1, 8, 0, 1, 0x600UL), Gas(f, 244));    // SLEEP_CONTROL_REG: one byte at I/O 0x600
        Assert.Equal((1, 8, 0, 1, 0x601UL), Gas(f, 256));    // SLEEP_STATUS_REG
        Assert.Equal((1, 8, 0, 1, 0x602UL), Gas(f, 116));    // RESET_REG
        Assert.Equal(1, f[128]);                              // RESET_VALUE
        Assert.Equal(0u, U32(f, 36));                         // no FACS
        Assert.Equal(0u, U32(f, 56) | U32(f, 64) | U32(f, 76) | U32(f, 80)); // no PM1a event/control, PM timer, GPE0
        Assert.Equal(0, U16(f, 46));                          // no SCI
        ushort boot = U16(f, 109);
        Assert.Equal(0b111, boot & 0b1111);                   // legacy devices, an 8042, no VGA; MSI works
        Assert.True(U16(f, 96) > 100 && U16(f, 98) > 1000);   // no C2, no C3
        Assert.Equal("LGUESTPS", Encoding.ASCII.GetString(f, 268, 8));
    }

    [Fact]
    public void FadtPointsAtTheDsdtBothWays()
    {
        var r = Written(2);
        var f = r["FACP"];
        Assert.Equal(r.Tables["DSDT"].Gpa, U64(f, 140));     // X_DSDT
        Assert.Equal(r.Tables["DSDT"].Gpa, U32(f, 40));      // DSDT (the same, so no mismatch warning)
        Assert.Equal(2, r["DSDT"][8]);                        // revision 2: 64-bit integers
    }

    [Theory]
    [MemberData(nameof(CpuCounts))]
    public void MadtHasALocalApicPerCpuTheIoApicAndLint1Nmi(int cpus)
    {
        var m = Written(cpus)["APIC"];
        Assert.Equal(0xFEE0_0000u, U32(m, 36));
        Assert.Equal(1u, U32(m, 40) & 1);                     // PCAT_COMPAT: there are 8259s to mask
        var e = MadtEntries(m);
        var lapics = e.Where(x => x[0] == 0).ToList();
        Assert.Equal(cpus, lapics.Count);
        for (int i = 0; i < cpus; i++)
        {
            Assert.Equal(8, lapics[i][1]);
            Assert.Equal(i, lapics[i][2]);                    // processor UID
            Assert.Equal(i, lapics[i][3]);                    // APIC id = KVM's vCPU id
            Assert.Equal(1u, U32(lapics[i], 4) & 1);          // enabled
        }
        var io = Assert.Single(e, x => x[0] == 1);
        Assert.Equal(12, io[1]);
        Assert.InRange(io[2], 0, 15);                         // fits the IOAPIC's 4-bit ID register
        if (cpus < 16) Assert.DoesNotContain(lapics, l => l[3] == io[2]); // and is nobody else's while one is free
        Assert.Equal(0xFEC0_0000u, U32(io, 4));
        Assert.Equal(0u, U32(io, 8));                         // GSI base
        var nmi = Assert.Single(e, x => x[0] == 4);
        Assert.Equal([4, 6, 0xFF, 0, 0, 1], nmi);             // all processors, conforming, LINT1
        Assert.Equal(e.Count, lapics.Count + 2);
    }

    [Fact]
    public void TheMpTableAndTheMadtAgreeOnTheIoApic()
    {
        foreach (int cpus in new[] { 1, 15, 16, 200 })
        {
            using var mem = new GuestMemory(16 << 20);
            MpTable.Write(mem, cpus, PciIntx.GsiFor);
            AcpiTables.Write(mem, cpus, PciIntx.GsiFor);
            var mp = MpTableReader.Read(mem);
            var io = Assert.Single(MadtEntries(AcpiReader.Read(mem)["APIC"]), x => x[0] == 1);
            Assert.Equal(Assert.Single(mp.Entries, x => x[0] == 2)[1], io[2]);
        }
    }

    [Fact]
    public void RewritingForFewerCpusLeavesNoStaleBytes()
    {
        using var mem = new GuestMemory(16 << 20);
        AcpiTables.Write(mem, MpTable.MaxCpus, PciIntx.GsiFor);
        AcpiTables.Write(mem, 1, PciIntx.GsiFor);
        var r = AcpiReader.Read(mem);
        ulong end = r.Tables.Values.Max(t => t.Gpa + (ulong)t.Bytes.Length);
        Assert.True(mem.Slice(end, (int)(Layout.AcpiTablesEnd - end)).IndexOfAnyExcept((byte)0) < 0);
    }
}
