using LguestPS.Engine.Bus;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Platform;

/*
 * Just enough of the PS/2 keyboard controller for a guest to reboot: Linux's
 * reboot=k (and our test guest) writes the "pulse output line" command 0xFE
 * to port 0x64, which on a PC pulls the CPU's reset line. We report an empty
 * controller (no data, input buffer free) so nothing waits on us, and answer
 * no other command, so Linux's i8042 driver finds no keyboard and moves on.
 * Port 0x92 ("system control port A", bit 0 = fast reset) is the other way
 * PCs reboot; we honour it too.
 */
public sealed class I8042 : IPortDevice
{
    public const ushort DataPort = Layout.I8042Data, CommandPort = Layout.I8042Command, ControlPortA = 0x92;
    private const byte CmdPulseReset = 0xFE;
    private readonly Action _reset;
    private byte _portA = 0x02; // A20 enabled

    public I8042(Action reset) => _reset = reset;

    /// <summary>The device for port 0x92, sharing the reset line.</summary>
    public IPortDevice PortA => new PortADevice(this);

    public uint Read(ushort offset, int size) => 0; // status: output buffer empty, input buffer empty

    public void Write(ushort offset, int size, uint value)
    {
        if (offset == CommandPort - DataPort && (byte)value == CmdPulseReset) _reset();
    }

    private sealed class PortADevice(I8042 kbd) : IPortDevice
    {
        public uint Read(ushort offset, int size) => kbd._portA;

        public void Write(ushort offset, int size, uint value)
        {
            kbd._portA = (byte)(value & 0x02);
            if ((value & 1) != 0) kbd._reset();
        }
    }
}
