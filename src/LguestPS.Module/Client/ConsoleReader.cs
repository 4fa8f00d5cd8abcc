using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace LguestPS.Client;

/*
 * The guest's console, read from the engine's stdout on a thread of its own
 * and cut into lines by a ConsoleLineSplitter. A timer re-armed by every read
 * delivers the unfinished line once the guest has been quiet for a while, so
 * a prompt without a newline reaches a pattern wait. Lines are delivered one
 * at a time and in order: the reader and the timer take the same lock.
 */
internal sealed class ConsoleReader
{
    private readonly Stream _stdout;
    private readonly ConsoleLineSplitter _splitter;
    private readonly Stopwatch _clock;
    private readonly TimeSpan _idle;
    private readonly Action<LguestConsoleLine> _deliver;
    private readonly object _lock = new();
    private readonly Timer _idleTimer;
    private readonly Thread _thread;
    private bool _closed;

    internal ConsoleReader(Stream stdout, string vmName, Stopwatch clock, TimeSpan idle, Action<LguestConsoleLine> deliver, string threadName)
    {
        _stdout = stdout;
        _splitter = new ConsoleLineSplitter(vmName);
        _clock = clock;
        _idle = idle;
        _deliver = deliver;
        _idleTimer = new Timer(_ => OnIdle(), null, Timeout.Infinite, Timeout.Infinite);
        _thread = new Thread(Read) { IsBackground = true, Name = threadName };
    }

    internal void Start() => _thread.Start();

    /// <summary>Waits (at most <paramref name="timeout"/>) for the console to close; nothing is delivered after this returns.</summary>
    internal void Finish(TimeSpan timeout)
    {
        _thread.Join(timeout);
        lock (_lock) _closed = true;
        _idleTimer.Dispose();
    }

    private void Read()
    {
        var buffer = new byte[8192];
        var lines = new List<LguestConsoleLine>();
        try
        {
            int n;
            while ((n = _stdout.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (_lock)
                {
                    if (_closed) return;
                    _splitter.Feed(buffer, n, _clock.Elapsed, lines);
                    foreach (var line in lines) _deliver(line);
                    lines.Clear();
                }
                _idleTimer.Change(_idle, Timeout.InfiniteTimeSpan);
            }
        }
        catch (IOException) { /* the pipe broke: the engine is gone */ }
        catch (ObjectDisposedException) { }
        lock (_lock)
        {
            if (_closed) return;
            var last = _splitter.Finish();
            if (last != null) _deliver(last);
        }
    }

    private void OnIdle()
    {
        lock (_lock)
        {
            if (_closed) return;
            var preview = _splitter.Idle();
            if (preview != null) _deliver(preview);
        }
    }
}
