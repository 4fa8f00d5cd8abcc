using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Platform;

/*
 * The MC146818 CMOS clock at ports 0x70/0x71. Linux reads the wall-clock
 * time from it at boot and would otherwise read all-ones (an "update in
 * progress" flag that never clears). We report the host's UTC time in BCD,
 * 24-hour mode, never mid-update. Writes to the clock are accepted and
 * ignored: the guest cannot move the host's time.
 */
public sealed class CmosRtc : IPortDevice
{
    private byte _index;
    private readonly byte[] _ram = new byte[128];
    private readonly Func<DateTime> _now;

    public CmosRtc(Func<DateTime>? now = null)
    {
        _now = now ?? (() => DateTime.UtcNow);
        _ram[0x0B] = 0x02; // status B: 24-hour, BCD
        _ram[0x0D] = 0x80; // status D: battery good, contents valid
    }

    public uint Read(ushort offset, int size)
    {
        if (offset == 0) return _index;
        int i = _index & 0x7F;
        var t = _now();
        return i switch
        {
            0x00 => Bcd(t.Second),
            0x02 => Bcd(t.Minute),
            0x04 => Bcd(t.Hour),
            0x06 => Bcd((int)t.DayOfWeek + 1),
            0x07 => Bcd(t.Day),
            0x08 => Bcd(t.Month),
            0x09 => Bcd(t.Year % 100),
            0x32 => Bcd(t.Year / 100),
            0x0A => 0x26, // status A: 32.768 kHz base, 1024 Hz rate, no update in progress
            0x0C => 0,    // status C: no interrupt flags
            _ => _ram[i],
        };
    }

    public void Write(ushort offset, int size, uint value)
    {
        if (offset == 0) { _index = (byte)value; return; }
        int i = _index & 0x7F;
        if (i >= 0x0E && i != 0x32) _ram[i] = (byte)value; // NVRAM, not the clock or status registers
    }

    private static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));
}
