using System;
using System.Collections.Generic;
using System.Threading;

namespace LguestPS.Session;

/*
 * A run's console, held by one conversation with the guest's shell at a time
 * (VmRun.ClaimConsole): a command or a file copy. While it is held, every
 * console line still goes to the run's listener (Receive-Job shows
 * everything the guest printed) but not into the history that
 * Wait-LguestVm -Pattern reads: the echo of what was typed, the markers and
 * the command's output belong to the command, and a pattern wait must not
 * match them. Lines printed before the claim and after it are the
 * console's as always.
 *
 * The claim sees complete lines only. A partial line is either an idle
 * preview (the same line comes again, longer or whole, with the same
 * number) or a piece of an over-long line the splitter cut (the next line
 * has the next number): it is held until the next line says which.
 */
/// <summary>The console of a run while one conversation holds it.</summary>
internal sealed class ConsoleClaim : IConsoleChannel, IDisposable
{
    private readonly Action<string> _send;
    private readonly Action _release;
    private readonly Queue<string> _lines = new();
    private LguestConsoleLine? _held;
    private bool _closed, _released;

    /// <param name="send">Types into the console (VmRun.WriteConsole).</param>
    /// <param name="release">Called once, when the claim is given back.</param>
    internal ConsoleClaim(Action<string> send, Action release)
    {
        _send = send;
        _release = release;
    }

    public void Send(string text) => _send(text);

    public ConsoleRead Read(TimeSpan timeout, CancellationToken cancel, out string line)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                if (_lines.Count > 0)
                {
                    line = _lines.Dequeue();
                    return ConsoleRead.Line;
                }
                line = "";
                if (_closed) return ConsoleRead.Closed;
                if (cancel.IsCancellationRequested) return ConsoleRead.Cancelled;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return ConsoleRead.TimedOut;
                // Short waits: a cancellation has no pulse of its own.
                Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>A console line arrived (VmRun's reader thread). Returns true: while claimed, the line is the claim's.</summary>
    internal bool Offer(LguestConsoleLine line)
    {
        lock (_lines)
        {
            if (_released) return false;
            if (_held != null && _held.LineNumber != line.LineNumber) _lines.Enqueue(_held.Text); // it was a cut piece
            _held = line.IsPartial ? line : null;
            if (!line.IsPartial) _lines.Enqueue(line.Text);
            Monitor.PulseAll(_lines);
            return true;
        }
    }

    /// <summary>The run ended: what was held is the last line, and reads end.</summary>
    internal void Close()
    {
        lock (_lines)
        {
            if (_held != null) _lines.Enqueue(_held.Text);
            _held = null;
            _closed = true;
            Monitor.PulseAll(_lines);
        }
    }

    /// <summary>Gives the console back: lines go to the history again, and the next conversation may start.</summary>
    public void Dispose()
    {
        lock (_lines)
        {
            if (_released) return;
            _released = true;
        }
        _release();
    }
}
