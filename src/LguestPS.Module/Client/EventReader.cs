using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using LguestPS.Contract;

namespace LguestPS.Client;

/*
 * The engine's stderr, read on a thread of its own: one JSON event per line
 * (docs/engine.md "JSON events"), or a line of text from an engine that died
 * too hard to speak JSON (a runtime crash, a launcher that could not exec).
 * Besides delivering each event, it keeps what the end of the run is made
 * of: the `exit` event, the last `error` event, and the last lines of text.
 */
internal sealed class EventReader
{
    private const int TailLines = 20;

    private readonly Stream _stderr;
    private readonly Stopwatch _clock;
    private readonly Action<EngineEvent> _deliver;
    private readonly Thread _thread;
    private readonly Queue<string> _tail = new();
    private readonly object _lock = new();
    private bool _closed;

    internal EventReader(Stream stderr, Stopwatch clock, Action<EngineEvent> deliver, string threadName)
    {
        _stderr = stderr;
        _clock = clock;
        _deliver = deliver;
        _thread = new Thread(Read) { IsBackground = true, Name = threadName };
    }

    /// <summary>The `exit` event, if the engine wrote one.</summary>
    internal EngineEvent? ExitEvent { get; private set; }

    /// <summary>The last `error` event, if any.</summary>
    internal EngineEvent? LastError { get; private set; }

    /// <summary>The last lines that were not JSON events, joined: what a dying engine last said.</summary>
    internal string? TextTail
    {
        get { lock (_lock) return _tail.Count > 0 ? string.Join(Environment.NewLine, _tail) : null; }
    }

    internal void Start() => _thread.Start();

    /// <summary>Waits (at most <paramref name="timeout"/>) for stderr to close; nothing is delivered after this returns.</summary>
    internal void Finish(TimeSpan timeout)
    {
        _thread.Join(timeout);
        lock (_lock) _closed = true;
    }

    private void Read()
    {
        var reader = new StreamReader(_stderr, new UTF8Encoding(false));
        try
        {
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (line.Length == 0) continue;
                var e = EngineEvent.Parse(line, _clock.Elapsed);
                lock (_lock)
                {
                    if (_closed) return;
                    Remember(e, line);
                    _deliver(e);
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    private void Remember(EngineEvent e, string line)
    {
        switch (e.Name)
        {
            case Events.Exit.Name: ExitEvent = e; break;
            case Events.Error.Name: LastError = e; break;
            case EngineEvent.Text:
                _tail.Enqueue(line);
                if (_tail.Count > TailLines) _tail.Dequeue();
                break;
        }
    }
}
