using LguestPS.Engine.Bus;
using LguestPS.Engine.Chardev;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Platform;

/*L:260
 * The 8250 (really a 16550A) UART at COM1: the guest's first voice. Linux
 * prints its earliest messages here (console=ttyS0), long before any virtio
 * driver loads, so this is where "it boots" is first seen.
 *
 * We transmit instantly (THR is always empty), receive from a queue the
 * stdin thread fills, and raise IRQ 4 when the guest asked to hear about
 * received data or an empty transmitter. Linux's probe checks loopback mode
 * and the scratch register, so both behave as on the real chip.
 */
public sealed class Serial8250 : IPortDevice
{
    public const ushort Com1 = Layout.Com1;
    public const uint Com1Irq = Layout.Com1Irq;

    // Register offsets (DLAB = 0 unless noted)
    private const int RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    private const byte IER_RDI = 0x01, IER_THRI = 0x02;
    private const byte IIR_NONE = 0x01, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_FIFO = 0xC0;
    private const byte LCR_DLAB = 0x80;
    private const byte MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    private const byte LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;

    private const int RxCapacity = 4096;
    private readonly byte[] _rx = new byte[RxCapacity];
    private int _rxHead, _rxCount;

    private byte _ier, _lcr, _mcr, _scr, _fcr, _dll = 0x0C, _dlm;
    private bool _thrPending;      // "transmitter empty" interrupt waiting to be seen
    private bool _irqHigh;

    private readonly IConsoleSink _out;
    private readonly IIrqLine _irq;
    private readonly object _lock = new();

    public Serial8250(IConsoleSink output, IIrqLine irq)
    {
        _out = output;
        _irq = irq;
    }

    /// <summary>
    /// Whether the guest listens for received bytes (IER's receive interrupt): Linux's driver turns it on when
    /// a process opens the port and off when the last one closes it, and its own console output runs with it off.
    /// </summary>
    public bool HasReader => (Volatile.Read(ref _ier) & IER_RDI) != 0;

    /// <summary>Space left in the receive queue.</summary>
    public int RxSpace { get { lock (_lock) return RxCapacity - _rxCount; } }

    /// <summary>Queues received bytes (from stdin). Returns how many fit; the rest must be offered again.</summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            int n = Math.Min(data.Length, RxCapacity - _rxCount);
            for (int i = 0; i < n; i++) _rx[(_rxHead + _rxCount + i) % RxCapacity] = data[i];
            _rxCount += n;
            UpdateIrq();
            return n;
        }
    }

    /// <summary>Signalled when the guest drains the receive queue (so a blocked stdin reader can go on).</summary>
    public event Action? RxDrained;

    public uint Read(ushort offset, int size)
    {
        bool drained = false;
        uint v;
        lock (_lock)
        {
            v = ReadReg(offset, ref drained);
            UpdateIrq();
        }
        if (drained) RxDrained?.Invoke();
        return v;
    }

    private byte ReadReg(int reg, ref bool drained)
    {
        switch (reg)
        {
            case RBR_THR:
                if ((_lcr & LCR_DLAB) != 0) return _dll;
                if (_rxCount == 0) return 0;
                byte b = _rx[_rxHead];
                _rxHead = (_rxHead + 1) % RxCapacity;
                if (--_rxCount == 0) drained = true;
                return b;
            case IER:
                return (_lcr & LCR_DLAB) != 0 ? _dlm : _ier;
            case IIR_FCR:
                byte iir = Pending();
                if (iir == IIR_THRI) _thrPending = false; // reading IIR acknowledges THRE
                return (byte)(iir | ((_fcr & 1) != 0 ? IIR_FIFO : 0));
            case LCR: return _lcr;
            case MCR: return _mcr;
            case LSR: return (byte)(LSR_THRE | LSR_TEMT | (_rxCount > 0 ? LSR_DR : 0));
            case MSR:
                if ((_mcr & MCR_LOOP) != 0)
                {
                    // Loopback: modem outputs come back as inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
                    return (byte)(((_mcr & MCR_DTR) != 0 ? 0x20 : 0) | ((_mcr & MCR_RTS) != 0 ? 0x10 : 0) |
                                  ((_mcr & MCR_OUT1) != 0 ? 0x40 : 0) | ((_mcr & MCR_OUT2) != 0 ? 0x80 : 0));
                }
                return 0xB0; // DCD, DSR, CTS: a cable is plugged in and the other end is ready
            default: return _scr;
        }
    }

    public void Write(ushort offset, int size, uint value)
    {
        byte v = (byte)value;
        Span<byte> one = stackalloc byte[1];
        bool transmit = false;
        lock (_lock)
        {
            switch (offset)
            {
                case RBR_THR:
                    if ((_lcr & LCR_DLAB) != 0) { _dll = v; break; }
                    if ((_mcr & MCR_LOOP) != 0)
                    {
                        if (_rxCount < RxCapacity) { _rx[(_rxHead + _rxCount) % RxCapacity] = v; _rxCount++; }
                    }
                    else transmit = true;
                    _thrPending = true; // sent at once: the holding register is empty again
                    break;
                case IER:
                    if ((_lcr & LCR_DLAB) != 0) { _dlm = v; break; }
                    // Enabling THRE interrupts while the transmitter is empty raises one at once.
                    if ((v & IER_THRI) != 0 && (_ier & IER_THRI) == 0) _thrPending = true;
                    _ier = (byte)(v & 0x0F);
                    break;
                case IIR_FCR:
                    _fcr = v;
                    if ((v & 0x02) != 0) { _rxHead = 0; _rxCount = 0; } // clear receive FIFO
                    break;
                case LCR: _lcr = v; break;
                case MCR: _mcr = (byte)(v & 0x1F); break;
                case LSR: case MSR: break; // read-only
                default: _scr = v; break;
            }
            UpdateIrq();
        }
        if (transmit)
        {
            one[0] = v;
            _out.Write(one);
        }
    }

    private byte Pending()
    {
        if ((_ier & IER_RDI) != 0 && _rxCount > 0) return IIR_RDI;
        if ((_ier & IER_THRI) != 0 && _thrPending) return IIR_THRI;
        return IIR_NONE;
    }

    private void UpdateIrq()
    {
        bool high = Pending() != IIR_NONE;
        if (high == _irqHigh) return;
        _irqHigh = high;
        _irq.Set(high);
    }
}
