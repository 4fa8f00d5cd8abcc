using LguestPS.Engine.Chardev;
using LguestPS.Engine.Platform;
using LguestPS.Engine.Virtio.Console;

namespace LguestPS.Engine.Vmm;

/*L:630
 * Two consoles, one terminal: the UART (ttyS0) and the virtio console (hvc0)
 * both print to stdout, and input goes to whichever one the guest spoke on
 * last. Early boot talks on ttyS0, so typing reaches it; once the kernel
 * moves its console (or a getty) to hvc0, so does the keyboard. A getty on
 * ttyS0 printing "login:" pulls it back. No configuration, and nothing typed
 * lands on a console nobody reads.
 *
 * "Spoke" on the UART means a program that reads it too: Linux turns the
 * receive interrupt on when a process opens ttyS0, and prints its own log
 * (console=ttyS0) with every interrupt off. So a kernel warning on ttyS0
 * while a shell on hvc0 waits for input does not take the keyboard away:
 * it once did, and the rest of a file being typed into that shell queued
 * for a UART nobody read, until the copy timed out.
 */
public sealed class ConsoleMux
{
    private readonly IConsoleSink _out;
    private volatile bool _virtioLast;
    private Serial8250? _serial;
    private readonly ConsoleDevice _virtio;
    private readonly AutoResetEvent _room = new(false);

    public ConsoleMux(IConsoleSink output, ConsoleDevice virtio)
    {
        _out = output;
        _virtio = virtio;
        virtio.SpaceAvailable += () => _room.Set();
    }

    /// <summary>The sink the UART writes to.</summary>
    public IConsoleSink SerialSink => new Tagged(this, virtio: false);

    /// <summary>The sink the virtio console writes to.</summary>
    public IConsoleSink VirtioSink => new Tagged(this, virtio: true);

    /// <summary>Points input at this boot's UART (a reboot builds a new one) and starts over on ttyS0.</summary>
    public void Attach(Serial8250? serial)
    {
        if (serial is not null) serial.RxDrained += () => _room.Set();
        _serial = serial;
        _virtioLast = false;
        _room.Set();
    }

    /// <summary>Delivers typed bytes, waiting for room rather than dropping them, until <paramref name="stopped"/>.</summary>
    public void Deliver(ReadOnlySpan<byte> data, Func<bool> stopped)
    {
        while (!data.IsEmpty && !stopped())
        {
            int n = _virtioLast && _virtio.Active ? _virtio.Receive(data) : _serial?.Receive(data) ?? 0;
            data = data[n..];
            if (!data.IsEmpty) _room.WaitOne(100);
        }
    }

    /// <summary>Wakes a Deliver that is waiting (the VM is stopping).</summary>
    public void Wake() => _room.Set();

    /// <summary>The last line either console carried that reported a kernel panic, or null.</summary>
    public string? PanicLine => _panicLine;
    private volatile string? _panicLine;

    private sealed class Tagged(ConsoleMux mux, bool virtio) : IConsoleSink
    {
        private readonly PanicLine _panic = new();

        public void Write(ReadOnlySpan<byte> data)
        {
            if (virtio || mux._serial is not { HasReader: false }) mux._virtioLast = virtio;
            mux._out.Write(data);
            _panic.Feed(data);
            if (_panic.Last is { } line) mux._panicLine = line;
        }
    }
}
