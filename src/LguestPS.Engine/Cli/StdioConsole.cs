using LguestPS.Engine.Chardev;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Cli;

/*L:680
 * The guest's console is our own stdin and stdout, as in the seed.
 *
 * Output: vCPUs hand us bytes one port write at a time. Writing each byte
 * with its own system call would be slow, so bytes collect in a buffer that a
 * writer thread drains: while it is busy writing, the next bytes pile up and
 * leave together. Nothing waits for a newline, so a "login: " prompt shows at
 * once.
 *
 * Input: a reader thread passes whatever arrives on stdin to the guest's
 * console device, waiting for room rather than dropping bytes. If stdin is a
 * terminal we put it in raw mode (no echo, no line editing, ^C goes to the
 * guest) and always put it back. Three ^C in a row within a second is the
 * seed's escape hatch: it stops the VM (the seed wanted each in a read of its
 * own; counting bytes works the same at a keyboard and also through a pipe).
 */
public sealed class StdioConsole : IConsoleSink, IDisposable
{
    private byte[] _pending = new byte[64 * 1024], _writing = new byte[64 * 1024];
    private int _pendingLen;
    private bool _writerBusy, _closed, _released;
    private readonly object _outLock = new();
    private readonly Thread _writer;

    private termios _savedTerm;
    private bool _rawMode;

    public StdioConsole()
    {
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "console-out" };
        _writer.Start();
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_outLock)
        {
            while (!data.IsEmpty)
            {
                while (_pendingLen == _pending.Length && !_closed && !_released) Monitor.Wait(_outLock); // backpressure, not loss
                if (_closed || _released) return;
                int n = Math.Min(data.Length, _pending.Length - _pendingLen);
                data[..n].CopyTo(_pending.AsSpan(_pendingLen));
                _pendingLen += n;
                data = data[n..];
                Monitor.PulseAll(_outLock);
            }
        }
    }

    private void WriterLoop()
    {
        while (true)
        {
            int len;
            lock (_outLock)
            {
                _writerBusy = false;
                Monitor.PulseAll(_outLock);
                while (_pendingLen == 0 && !_closed) Monitor.Wait(_outLock);
                if (_pendingLen == 0 && _closed) return;
                // A UART delivers a byte per exit. Give a line a moment to finish so it leaves in one write;
                // a prompt without a newline still goes out within a couple of milliseconds.
                for (int spins = 0; spins < 5 && !_closed && _pendingLen < _pending.Length && _pending[_pendingLen - 1] != (byte)'\n'; spins++)
                    Monitor.Wait(_outLock, 1);
                (_pending, _writing) = (_writing, _pending);
                len = _pendingLen;
                _pendingLen = 0;
                _writerBusy = true;
                Monitor.PulseAll(_outLock);
            }
            Sys.WriteAll(1, _writing.AsSpan(0, len));
        }
    }

    /// <summary>
    /// The VM is stopping: a guest writer waiting for room in a full buffer (because nobody reads our stdout)
    /// must not keep its vCPU, and so the whole process, from ending. What cannot be written is dropped.
    /// </summary>
    public void Release()
    {
        lock (_outLock)
        {
            _released = true;
            Monitor.PulseAll(_outLock);
        }
    }

    /// <summary>Waits (at most two seconds: the reader may be gone) until what the guest wrote has reached stdout.</summary>
    public void Flush()
    {
        long deadline = Environment.TickCount64 + 2000;
        lock (_outLock)
            while ((_pendingLen > 0 || _writerBusy) && !_closed)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return;
                Monitor.Wait(_outLock, (int)Math.Min(left, 100));
            }
    }

    /// <summary>Feeds stdin to the guest until EOF. <paramref name="deliver"/> blocks until the guest has room.</summary>
    public void StartInput(Action<ReadOnlySpan<byte>> deliver, Action onTripleCtrlC)
    {
        if (isatty(0) == 1 && GetTermios(out var saved))
        {
            _savedTerm = saved;
            termios raw = saved;
            raw.c_lflag &= ~(uint)(ISIG | ICANON | ECHO);
            if (SetTermios(raw)) _rawMode = true;
        }
        var t = new Thread(() =>
        {
            // A thread that dies of an exception takes the process with it; console input is not worth that.
            try { ReaderLoop(deliver, onTripleCtrlC); }
            catch (Exception e) { Log.Warning($"console input stopped: {e.GetType().Name}: {e.Message}"); }
        }) { IsBackground = true, Name = "console-in" };
        t.Start();
    }

    private static void ReaderLoop(Action<ReadOnlySpan<byte>> deliver, Action onTripleCtrlC)
    {
        byte[] buf = new byte[4096];
        int ctrlC = 0;
        long firstCtrlC = 0;
        while (true)
        {
            long n = Sys.Read(0, buf);
            if (n <= 0) return; // EOF or a closed stdin: the guest just hears nothing more
            // Three ^C in a row, nothing else between them, the first and the last within a second.
            for (int i = 0; i < n; i++)
            {
                if (buf[i] != 3) { ctrlC = 0; continue; }
                long now = Environment.TickCount64;
                if (ctrlC == 0) firstCtrlC = now;
                if (++ctrlC == 3)
                {
                    if (now - firstCtrlC <= 1000) { onTripleCtrlC(); return; }
                    ctrlC = 1;
                    firstCtrlC = now;
                }
            }
            deliver(buf.AsSpan(0, (int)n));
        }
    }

    /// <summary>Puts the terminal back the way we found it. Safe to call more than once, from any thread.</summary>
    public void RestoreTerminal()
    {
        if (!_rawMode) return;
        _rawMode = false;
        SetTermios(_savedTerm);
    }

    // SAFETY: tcgetattr(3) fills the termios whose address it gets: t, pinned for the call.
    private static unsafe bool GetTermios(out termios t)
    {
        t = default;
        fixed (termios* p = &t) return tcgetattr(0, p) == 0;
    }

    // SAFETY: tcsetattr(3) reads the termios local whose address it gets.
    private static unsafe bool SetTermios(termios t) => tcsetattr(0, (int)TCSANOW, &t) == 0;

    public void Dispose()
    {
        Flush();
        lock (_outLock) { _closed = true; Monitor.PulseAll(_outLock); }
        RestoreTerminal();
    }
}
