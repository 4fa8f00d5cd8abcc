using LguestPS.Engine.Bus;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Platform;

/*L:280
 * The PS/2 keyboard controller, which a PC needs for two things that have
 * nothing to do with typing: the reset line (Linux's reboot=k, and our test
 * guest, write the "pulse output line" command 0xFE to port 0x64; port
 * 0x92's bit 0 is the other way PCs reboot), and Ctrl+Alt+Del, the one
 * shutdown request every PC operating system understands without ACPI. So
 * there is a keyboard behind it (PsKeyboard), enough of one for Linux's
 * i8042 and atkbd drivers to find it, and a graceful stop types the chord on
 * it: the scancodes into the output buffer, then IRQ 1, as Firecracker's
 * SendCtrlAltDel does. There is no mouse port: the DSDT names no PS/2 mouse
 * (PNP0F13), so Linux does not look for one.
 *
 * The output buffer is a short queue; each read of port 0x60 takes one byte
 * and, while bytes remain and the controller's keyboard interrupt is on,
 * raises IRQ 1 again (an ISA edge: Linux reads one byte per interrupt). The
 * guest cannot grow the queue past a bound by writing commands and never
 * reading: past it, answers are dropped, as a full controller would.
 */
public sealed class I8042 : IPortDevice
{
    public const ushort DataPort = Layout.I8042Data, CommandPort = Layout.I8042Command, ControlPortA = 0x92;
    private const int Status = CommandPort - DataPort, MaxQueued = 64;
    // Status register (port 0x64 read).
    private const byte StsOutputFull = 0x01, StsSystem = 0x04, StsCommand = 0x08, StsUnlocked = 0x10;
    // Controller configuration byte ("CTR", commands 0x20/0x60).
    private const byte CtrKbdInt = 0x01, CtrSystem = 0x04, CtrKbdDisabled = 0x10, CtrAuxDisabled = 0x20, CtrTranslate = 0x40;
    // Controller commands (port 0x64 write).
    private const byte CmdReadCtr = 0x20, CmdWriteCtr = 0x60, CmdAuxDisable = 0xA7, CmdAuxEnable = 0xA8, CmdAuxTest = 0xA9,
        CmdSelfTest = 0xAA, CmdKbdTest = 0xAB, CmdKbdDisable = 0xAD, CmdKbdEnable = 0xAE, CmdReadOutput = 0xD0,
        CmdWriteOutput = 0xD1, CmdWriteKbdBuffer = 0xD2, CmdPulseReset = 0xFE;

    private readonly Action _reset;
    private readonly IIrqLine? _irq;
    private readonly PsKeyboard _kbd = new();
    private readonly Queue<byte> _out = new();
    private readonly object _lock = new();
    private byte _ctr = CtrKbdInt | CtrSystem | CtrAuxDisabled | CtrTranslate; // as a BIOS leaves it
    private byte _status = StsSystem | StsUnlocked;
    private byte? _pending; // a controller command whose data byte comes through port 0x60
    private byte _last;
    private byte _portA = 0x02; // A20 enabled

    /// <param name="reset">Pulls the CPU's reset line.</param>
    /// <param name="keyboardIrq">IRQ 1; null for a controller whose keyboard nobody hears (tests).</param>
    public I8042(Action reset, IIrqLine? keyboardIrq = null)
    {
        _reset = reset;
        _irq = keyboardIrq;
    }

    /// <summary>The device for port 0x92, sharing the reset line.</summary>
    public IPortDevice PortA => new PortADevice(this);

    /// <summary>Types Ctrl+Alt+Del: presses and releases, in the set the guest reads, and interrupts.</summary>
    public void TypeCtrlAltDel()
    {
        lock (_lock)
            Send((_ctr & CtrTranslate) != 0 ? PsKeyboard.CtrlAltDelSet1 : PsKeyboard.CtrlAltDelSet2);
    }

    public uint Read(ushort offset, int size)
    {
        lock (_lock)
        {
            if (offset == Status) return (uint)(_status | (_out.Count > 0 ? StsOutputFull : 0));
            if (_out.Count > 0)
            {
                _last = _out.Dequeue();
                if (_out.Count > 0) Interrupt();
            }
            return _last; // an empty buffer reads as the last byte, as on the real chip
        }
    }

    public void Write(ushort offset, int size, uint value)
    {
        byte b = (byte)value;
        lock (_lock)
        {
            if (offset == Status) Command(b);
            else Data(b);
        }
    }

    private void Command(byte cmd)
    {
        _status |= StsCommand;
        _pending = null;
        switch (cmd)
        {
            case CmdReadCtr: Send([_ctr]); break;
            case CmdWriteCtr or CmdWriteOutput or CmdWriteKbdBuffer: _pending = cmd; break;
            case CmdSelfTest: Send([0x55]); break;
            case CmdKbdTest: Send([0x00]); break;
            case CmdAuxTest: Send([0x01]); break; // no mouse port: its clock line reads stuck low
            case CmdKbdDisable: _ctr |= CtrKbdDisabled; break;
            case CmdKbdEnable: _ctr = (byte)(_ctr & ~CtrKbdDisabled); break;
            case CmdAuxDisable: _ctr |= CtrAuxDisabled; break;
            case CmdAuxEnable: _ctr = (byte)(_ctr & ~CtrAuxDisabled); break;
            case CmdReadOutput: Send([0x03]); break; // reset line high (inactive), A20 on
            case CmdPulseReset: _reset(); break;
        }
    }

    private void Data(byte b)
    {
        _status = (byte)(_status & ~StsCommand);
        if (_pending is byte cmd)
        {
            _pending = null;
            switch (cmd)
            {
                case CmdWriteCtr:
                    _ctr = b;
                    break;
                case CmdWriteOutput when (b & 1) == 0:
                    _reset(); // bit 0 of the output port is the reset line, active low
                    break;
                case CmdWriteKbdBuffer:
                    Send([b]);
                    break;
            }
            return;
        }
        _ctr = (byte)(_ctr & ~CtrKbdDisabled); // writing to the keyboard enables its interface
        Send(_kbd.Command(b));
    }

    /// <summary>Queues bytes for the guest (dropping past the bound) and interrupts if the buffer was empty.</summary>
    private void Send(byte[] bytes)
    {
        bool wasEmpty = _out.Count == 0;
        foreach (byte b in bytes)
            if (_out.Count < MaxQueued) _out.Enqueue(b);
        if (wasEmpty && _out.Count > 0) Interrupt();
    }

    /// <summary>An edge on IRQ 1, when the guest asked for keyboard interrupts and the interface is on.</summary>
    private void Interrupt()
    {
        if (_irq is null || (_ctr & CtrKbdInt) == 0 || (_ctr & CtrKbdDisabled) != 0) return;
        _irq.Set(true);
        _irq.Set(false);
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
