using System.Diagnostics;
using LguestPS.Engine.Boot.Acpi;
using LguestPS.Engine.Boot;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot.Acpi;

/*
 * The reference reader of ACPI tables is ACPICA, the same code Linux runs;
 * its disassembler (iasl -d, Debian's acpica-tools, which ./build.sh deps
 * installs) decodes every table and every AML opcode and complains about
 * anything malformed. So each table goes through it, and the DSDT comes back
 * as ASL that must say what Dsdt.cs means.
 */
public class IaslTests
{
    private static string Disassemble(string sig, int cpus, out string log)
    {
        Skip.IfNot(File.Exists("/usr/bin/iasl"), "SKIPPED: iasl is not installed (apt-get install acpica-tools, or ./build.sh deps)");
        using var mem = new GuestMemory(16 << 20);
        AcpiTables.Write(mem, cpus, PciIntx.GsiFor);
        var table = AcpiReader.Read(mem)[sig];
        string dir = Directory.CreateTempSubdirectory("lguest-acpi-").FullName;
        try
        {
            string dat = Path.Combine(dir, sig.ToLowerInvariant() + ".dat");
            File.WriteAllBytes(dat, table);
            var psi = new ProcessStartInfo("/usr/bin/iasl", ["-d", dat])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir,
            };
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            log = p.StandardOutput.ReadToEnd() + stderr.Result;
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"iasl -d failed on {sig}:\n{log}");
            return File.ReadAllText(Path.ChangeExtension(dat, ".dsl"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableTheory]
    [InlineData("FACP")]
    [InlineData("APIC")]
    [InlineData("XSDT")]
    public void DataTablesDecodeWithoutComplaint(string sig)
    {
        string dsl = Disassemble(sig, 4, out string log);
        foreach (var bad in new[] { "Error", "Warning", "Invalid", "Incorrect" })
        {
            Assert.DoesNotContain(bad, log, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(bad, dsl);
        }
    }

    [SkippableFact]
    public void ADsdtForTheMostCpusStillDecodes()
    {
        // 254 processor devices take \_SB past 4 KiB: its PkgLength needs three bytes.
        string asl = Disassemble("DSDT", MpTable.MaxCpus, out string log);
        Assert.DoesNotContain("Error", log);
        Assert.Contains("Device (C0FD)", asl);
        Assert.Contains("Name (_UID, 0xFD)", asl);
        Assert.Contains("Device (GED0)", asl);
        Assert.Contains("Name (\\_S5, Package (0x04)", asl);
    }

    [SkippableFact]
    public void FadtSaysHardwareReducedWithSleepRegisters()
    {
        string dsl = Disassemble("FACP", 1, out _);
        Assert.Matches(@"Hardware Reduced \(V5\) : 1", dsl);
        Assert.Matches(@"Reset Register Supported \(V2\) : 1", dsl);
        Assert.Matches(@"(?s)Sleep Control Register : \[Generic Address Structure\].*?Space ID : 01 \[SystemIO\].*?Address : 0000000000000600", dsl);
        Assert.Matches(@"(?s)Sleep Status Register : \[Generic Address Structure\].*?Space ID : 01 \[SystemIO\].*?Address : 0000000000000601", dsl);
    }

    [SkippableFact]
    public void DsdtDisassemblesIntoTheNamespaceWeMeant()
    {
        string asl = Disassemble("DSDT", 2, out string log);
        Assert.DoesNotContain("Error", log);
        Assert.DoesNotContain("Warning", log);
        string flat = Flatten(asl);
        string[] expected =
        [
            "Scope (\\_SB) {",
            "Device (PCI0) { Name (_HID, EisaId (\"PNP0A03\"))",
            "WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0x0000, 0x0000, 0x0000, 0x0000, 0x0001,",
            "IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08,)",
            "WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0x0000, 0x1000, 0xFFFF, 0x0000, 0xF000,",
            "DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0x00000000, 0xC0000000, 0xFDFFFFFF, 0x00000000, 0x3E000000,",
            "Package (0x04) { 0x0001FFFF, Zero, Zero, 0x10 }",
            "Package (0x04) { 0x0008FFFF, Zero, Zero, 0x17 }",
            "Package (0x04) { 0x0009FFFF, Zero, Zero, 0x10 }",
            "Package (0x04) { 0x001FFFFF, Zero, Zero, 0x16 }",
            "Device (COM1) { Name (_HID, EisaId (\"PNP0501\")) Name (_UID, One)",
            "IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08,) IRQNoFlags () {4}",
            "Device (PS2K) { Name (_HID, EisaId (\"PNP0303\"))",
            "IO (Decode16, 0x0060, 0x0060, 0x01, 0x01,) IO (Decode16, 0x0064, 0x0064, 0x01, 0x01,) IRQNoFlags () {1}",
            "Device (PWRB) { Name (_HID, EisaId (\"PNP0C0C\"))",
            "Device (GED0) { Name (_HID, \"ACPI0013\")",
            "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,,) { 0x00000009, }",
            "OperationRegion (GEVR, SystemIO, 0x0603, One) Field (GEVR, ByteAcc, NoLock, Preserve) { GEVT, 8 }",
            "Method (_EVT, 1, Serialized) { Local0 = GEVT If ((Local0 & One)) { Notify (\\_SB.PWRB, 0x80) } }",
            "Device (C000) { Name (_HID, \"ACPI0007\") Name (_UID, Zero) }",
            "Device (C001) { Name (_HID, \"ACPI0007\") Name (_UID, One) }",
            "Name (\\_S5, Package (0x04) { 0x05, Zero, Zero, Zero })",
        ];
        foreach (var e in expected)
            Assert.True(flat.Contains(e), $"the DSDT lacks: {e}\n{asl}");
        Assert.DoesNotContain("Device (C002)", asl);
    }

    /// <summary>ASL without comments, whitespace runs made one space.</summary>
    private static string Flatten(string asl)
    {
        string s = System.Text.RegularExpressions.Regex.Replace(asl, @"/\*.*?\*/|//[^\n]*", "", System.Text.RegularExpressions.RegexOptions.Singleline);
        return System.Text.RegularExpressions.Regex.Replace(s, @"\s+", " ").Replace(" )", ")");
    }
}
