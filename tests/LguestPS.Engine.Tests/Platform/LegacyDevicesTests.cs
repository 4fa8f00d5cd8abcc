using LguestPS.Engine.Platform;

namespace LguestPS.Engine.Tests.Platform;

public class LegacyDevicesTests
{
    [Fact]
    public void I8042PulseResetRebootsAndNothingElseDoes()
    {
        int resets = 0;
        var kbd = new I8042(() => resets++);
        kbd.Write(4, 1, 0xAA);             // self-test: answered, no reset
        kbd.Write(0, 1, 0xFE);             // 0xFE on the data port is a keyboard command (resend), not the pulse
        Assert.Equal(0, resets);
        kbd.Write(4, 1, 0xFE);
        Assert.Equal(1, resets);
        kbd.Write(4, 1, 0xD1);             // write output port: bit 0 low is the reset line
        kbd.Write(0, 1, 0x02);
        Assert.Equal(2, resets);
        kbd.PortA.Write(0, 1, 0x01);       // port 0x92 fast reset
        Assert.Equal(3, resets);
    }

    [Fact]
    public void CmosReportsTheTimeInBcdWithoutUpdateInProgress()
    {
        var rtc = new CmosRtc(() => new DateTime(2026, 11, 24, 13, 45, 59, DateTimeKind.Utc));
        uint Reg(byte r) { rtc.Write(0, 1, r); return rtc.Read(1, 1); }
        Assert.Equal(0x59u, Reg(0x00));
        Assert.Equal(0x45u, Reg(0x02));
        Assert.Equal(0x13u, Reg(0x04));
        Assert.Equal(0x24u, Reg(0x07));
        Assert.Equal(0x11u, Reg(0x08));
        Assert.Equal(0x26u, Reg(0x09));
        Assert.Equal(0x20u, Reg(0x32));
        Assert.Equal(0u, Reg(0x0A) & 0x80);
        rtc.Write(0, 1, 0x00); rtc.Write(1, 1, 0x11);  // the guest cannot set the clock
        Assert.Equal(0x59u, Reg(0x00));
        rtc.Write(0, 1, 0x40); rtc.Write(1, 1, 0x77);  // but NVRAM keeps what it is given
        Assert.Equal(0x77u, Reg(0x40));
    }
}
