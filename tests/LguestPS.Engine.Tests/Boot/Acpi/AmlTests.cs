using LguestPS.Engine.Boot.Acpi;

namespace LguestPS.Engine.Tests.Boot.Acpi;

/// <summary>The AML writer's encodings, each against the bytes ACPI 6.5 chapter 20 (and iasl) give for it.</summary>
public class AmlTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]                                  // ZeroOp
    [InlineData(1UL, new byte[] { 0x01 })]                                  // OneOp
    [InlineData(2UL, new byte[] { 0x0A, 0x02 })]                            // BytePrefix
    [InlineData(0xFFUL, new byte[] { 0x0A, 0xFF })]
    [InlineData(0x100UL, new byte[] { 0x0B, 0x00, 0x01 })]                  // WordPrefix
    [InlineData(0x1_0000UL, new byte[] { 0x0C, 0x00, 0x00, 0x01, 0x00 })]   // DWordPrefix
    [InlineData(0x1_0000_0000UL, new byte[] { 0x0E, 0, 0, 0, 0, 1, 0, 0, 0 })] // QWordPrefix
    public void IntegersTakeTheShortestEncoding(ulong v, byte[] expected) => Assert.Equal(expected, Aml.Int(v));

    [Fact]
    public void EisaIdCompressesAsIaslDoes()
    {
        Assert.Equal([0x0C, 0x41, 0xD0, 0x0A, 0x03], Aml.EisaId("PNP0A03")); // 0x030AD041
        Assert.Equal([0x0C, 0x41, 0xD0, 0x0C, 0x0C], Aml.EisaId("PNP0C0C"));
        Assert.Throws<ArgumentException>(() => Aml.EisaId("pnp0a03"));
        Assert.Throws<ArgumentException>(() => Aml.EisaId("PNP0A0"));
    }

    [Fact]
    public void NamesArePaddedSegmentsWithTheirPrefixes()
    {
        Assert.Equal("_HID"u8.ToArray(), Aml.Path("_HID"));
        Assert.Equal("_SB_"u8.ToArray(), Aml.Path("_SB"));
        Assert.Equal([0x5C, .. "_S5_"u8], Aml.Path("\\_S5"));
        Assert.Equal([0x5C, 0x2E, .. "_SB_PWRB"u8], Aml.Path("\\_SB.PWRB"));
        Assert.Equal([0x2F, 3, .. "_SB_PCI0C000"u8], Aml.Path("_SB.PCI0.C000"));
        Assert.Equal([0x5E, .. "PWRB"u8], Aml.Path("^PWRB"));
        Assert.Equal([0x5C, 0x00], Aml.Path("\\"));
        Assert.Throws<ArgumentException>(() => Aml.Path("TOOLONG"));
        Assert.Throws<ArgumentException>(() => Aml.Path("0ABC"));
        Assert.Throws<ArgumentException>(() => Aml.Path("a"));
    }

    [Theory]
    [InlineData(0, new byte[] { 0x01 })]
    [InlineData(62, new byte[] { 0x3F })]                    // 62 + itself = 63: the most one byte holds
    [InlineData(63, new byte[] { 0x41, 0x04 })]              // 63 + 2 = 65 = 0x41: low nibble 1, then 0x04
    [InlineData(4093, new byte[] { 0x4F, 0xFF })]            // 4095, the most two bytes hold
    [InlineData(4094, new byte[] { 0x81, 0x00, 0x01 })]      // 4097 = 0x1001
    [InlineData(0xFFFFC, new byte[] { 0x8F, 0xFF, 0xFF })]   // 0xFFFFF
    [InlineData(0xFFFFD, new byte[] { 0xC1, 0x00, 0x00, 0x01 })] // 0x100001
    public void PkgLengthCountsItselfAndGrowsAtEachBoundary(int content, byte[] expected) =>
        Assert.Equal(expected, Aml.PkgLength(content));

    [Fact]
    public void ContainersWrapTheirContents()
    {
        // Name (_UID, One)
        Assert.Equal([0x08, .. "_UID"u8, 0x01], Aml.Name("_UID", Aml.One));
        // Package () { One, 0x05 }: PackageOp, PkgLength 5 (itself included), two elements
        Assert.Equal([0x12, 0x05, 0x02, 0x01, 0x0A, 0x05], Aml.Package(Aml.One, Aml.Int(5)));
        // Buffer () { 0x79, 0x00 }: BufferOp, PkgLength, BufferSize 2, the bytes
        Assert.Equal([0x11, 0x05, 0x0A, 0x02, 0x79, 0x00], Aml.Buffer([0x79, 0x00]));
        // Device (PWRB) { }
        Assert.Equal([0x5B, 0x82, 0x05, .. "PWRB"u8], Aml.Device("PWRB"));
        // Method (_EVT, 1, Serialized) { Return (Zero) }
        Assert.Equal([0x14, 0x08, .. "_EVT"u8, 0x09, 0xA4, 0x00], Aml.Method("_EVT", 1, true, Aml.Return(Aml.Zero)));
        // Field (GEVR, ByteAcc, NoLock, Preserve) { GEVT, 8 }
        Assert.Equal([0x5B, 0x81, 0x0B, .. "GEVR"u8, 0x01, .. "GEVT"u8, 0x08], Aml.Field("GEVR", Aml.ByteAccNoLockPreserve, ("GEVT", 8)));
        // OperationRegion (GEVR, SystemIO, 0x0603, One)
        Assert.Equal([0x5B, 0x80, .. "GEVR"u8, 0x01, 0x0B, 0x03, 0x06, 0x01], Aml.OperationRegion("GEVR", Aml.SystemIo, 0x603, 1));
    }

    [Fact]
    public void AStringIsAsciiAndNulTerminated()
    {
        Assert.Equal([0x0D, .. "ACPI0013"u8, 0x00], Aml.String("ACPI0013"));
        Assert.Throws<ArgumentException>(() => Aml.String("a\0b"));
    }

    [Fact]
    public void ResourceTemplatesEndWithAnEndTag()
    {
        var crs = new ResourceTemplate().Io(0x3F8, 8).IrqNoFlags(4).ToAml();
        byte[] descriptors = [0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00];
        Assert.Equal([0x11, 0x10, 0x0A, (byte)descriptors.Length, .. descriptors], crs);
        var ged = new ResourceTemplate().Interrupt(9, level: true).ToAml();
        Assert.Equal([0x89, 0x06, 0x00, 0x01, 0x01, 0x09, 0x00, 0x00, 0x00, 0x79, 0x00], ged[4..]); // consumer, level, high, exclusive
    }
}
