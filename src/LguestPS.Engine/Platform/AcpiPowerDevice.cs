using LguestPS.Engine.Bus;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Platform;

/*L:270
 * The four ports the FADT and the DSDT point at (Layout.AcpiPorts): how an
 * ACPI guest turns itself off or resets the machine, and how the engine
 * presses its power button.
 *
 *   +0 SLEEP_CONTROL  write SLP_TYP << 2 | SLP_EN: S5 (\_S5's 5) is power-off
 *   +1 SLEEP_STATUS   WAK_STS (bit 7), write 1 to clear
 *   +2 RESET          RESET_VALUE resets, as the i8042's pulse does
 *   +3 GED events     read: the pending events, which the read clears
 *
 * We announce no sleeping state but S5, yet a guest may still write
 * another: it wakes at once (WAK_STS set), so an OS that waits for the wake
 * carries on instead of spinning. Each port is one byte wide (the FADT says
 * byte access); a wider access touches the next ports, one byte each, as
 * I/O on an ISA-style bus does.
 */
public sealed class AcpiPowerDevice : IPortDevice
{
    private const int SleepControl = 0, SleepStatus = 1, Reset = 2, GedEvents = 3;
    private const byte SlpEn = 1 << 5, WakSts = 1 << 7;
    private readonly Action _powerOff, _reset;
    private readonly IIrqLine _ged;
    private readonly object _lock = new();
    private byte _events;
    private bool _wakeStatus;

    public AcpiPowerDevice(Action powerOff, Action reset, IIrqLine ged)
    {
        _powerOff = powerOff;
        _reset = reset;
        _ged = ged;
    }

    /// <summary>Presses the power button: the GED's event bit, and its interrupt until the guest reads the bit.</summary>
    public void PressPowerButton() => Raise(Layout.GedEventPowerButton);

    private void Raise(byte events)
    {
        lock (_lock)
        {
            _events |= events;
            _ged.Set(true);
        }
    }

    public uint Read(ushort offset, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++) v |= (uint)ReadByte(offset + i) << (8 * i);
        return v;
    }

    public void Write(ushort offset, int size, uint value)
    {
        for (int i = 0; i < size; i++) WriteByte(offset + i, (byte)(value >> (8 * i)));
    }

    private byte ReadByte(int port)
    {
        switch (port)
        {
            case SleepStatus:
                return Volatile.Read(ref _wakeStatus) ? WakSts : (byte)0;
            case GedEvents:
                lock (_lock)
                {
                    byte e = _events;
                    _events = 0;
                    _ged.Set(false);
                    return e;
                }
            default:
                return 0; // SLEEP_CONTROL and RESET read as zero: SLP_EN is write-only
        }
    }

    private void WriteByte(int port, byte value)
    {
        switch (port)
        {
            case SleepControl when (value & SlpEn) != 0:
                int type = (value >> 2) & 7;
                if (type == Layout.AcpiSleepTypeS5)
                {
                    _powerOff();
                    return;
                }
                if (Log.IsVerbose) Log.Verbose($"ACPI: the guest asked for sleep type {type}, which the DSDT does not offer; waking it at once");
                Volatile.Write(ref _wakeStatus, true);
                break;
            case SleepStatus when (value & WakSts) != 0:
                Volatile.Write(ref _wakeStatus, false);
                break;
            case Reset when value == Layout.AcpiResetValue:
                _reset();
                break;
        }
    }
}
