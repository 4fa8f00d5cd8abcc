using System.Diagnostics;
using System.Text.Json;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Cli;

/*
 * Diagnostics on stderr: a line of text for people, or (--log-format=json)
 * one JSON object per line for the PowerShell module. Utf8JsonWriter keeps
 * us reflection-free for Native AOT. The exit event is always the last line.
 * Each thing is said once: in text, a failure's exit line is not the error
 * line again. Text goes out as the bytes the user gave us (a path need not
 * be UTF-8, see ByteString); JSON must be UTF-8, so there a byte that is not
 * shows as U+FFFD.
 */
public sealed class EventLog
{
    private readonly LogFormat _format;
    private readonly Stopwatch _clock;
    private readonly object _lock = new();
    private string? _lastError;

    public EventLog(LogFormat format, Stopwatch clock)
    {
        _format = format;
        _clock = clock;
    }

    /// <summary>Routes Log.Verbose/Warning from every layer through this log.</summary>
    /// <summary>Seconds since the engine started: the events' time.</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    public void Install(bool verbose)
    {
        Log.IsVerbose = verbose;
        Log.Sink = (level, msg) =>
        {
            if (_format == LogFormat.Text) Text(msg);
            else Json(Events.Log.Name, w => { w.WriteString(Events.Log.Level, level); w.WriteString(Events.Log.Message, ByteString.ForText(msg)); });
        };
    }

    public void Ready(ulong memoryMiB, int cpus, string kernel, string format, string cmdline, IEnumerable<string> devices, bool pvm)
    {
        if (_format == LogFormat.Text)
        {
            if (Log.IsVerbose) Text($"guest ready: {memoryMiB} MiB, {cpus} vCPU(s), {format} {kernel}, devices: {string.Join(", ", devices)}{(pvm ? " (PVM host: software-only KVM)" : "")}");
            return;
        }
        Json(Events.Ready.Name, w =>
        {
            w.WriteNumber(Events.Ready.MemoryMB, memoryMiB);
            w.WriteNumber(Events.Ready.Cpus, cpus);
            w.WriteString(Events.Ready.Kernel, ByteString.ForText(kernel));
            w.WriteString(Events.Ready.Format, format);
            w.WriteString(Events.Ready.Cmdline, ByteString.ForText(cmdline));
            w.WriteStartArray(Events.Ready.Devices);
            foreach (var d in devices) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteBoolean(Events.Ready.Pvm, pvm);
        });
    }

    public void Reboot(string reason, int count)
    {
        if (_format == LogFormat.Text) { if (Log.IsVerbose) Text($"guest rebooted ({reason}), restarting it (boot {count + 1})"); return; }
        Json(Events.Reboot.Name, w => { w.WriteString(Events.Reboot.Reason, reason); w.WriteNumber(Events.Reboot.Count, count); });
    }

    /// <summary>The guest signalled the boot timer: power-on to userspace, as the engine measured it.</summary>
    public void BootTime(TimeSpan fromPowerOn, int boot)
    {
        if (_format == LogFormat.Text)
        {
            if (Log.IsVerbose) Text($"guest reached userspace {fromPowerOn.TotalMilliseconds:F1} ms after power-on (boot {boot + 1}, {_clock.Elapsed.TotalMilliseconds:F1} ms after the engine started)");
            return;
        }
        Json(Events.BootTime.Name, w =>
        {
            w.WriteNumber(Events.BootTime.FromPowerOn, Math.Round(fromPowerOn.TotalSeconds, 6));
            w.WriteNumber(Events.BootTime.Boot, boot);
        });
    }

    /// <summary>The guest reported a kernel panic. Text mode says nothing here: the exit line (or a warning) does.</summary>
    public void Panic(string line, bool crashKernel)
    {
        if (_format == LogFormat.Text) return;
        Json(Events.Panic.Name, w => { w.WriteString(Events.Panic.Line, line); w.WriteBoolean(Events.Panic.CrashKernel, crashKernel); });
    }

    /// <summary>A shutdown was asked of the guest over the control channel (method: the control operation).</summary>
    public void ShutdownRequested(string method)
    {
        if (_format == LogFormat.Text) { if (Log.IsVerbose) Text($"asked the guest to shut down ({method})"); return; }
        Json(Events.ShutdownRequested.Name, w => w.WriteString(Events.ShutdownRequested.Method, method));
    }

    public void Paused()
    {
        if (_format == LogFormat.Text) { if (Log.IsVerbose) Text("guest paused"); return; }
        Json(Events.Paused.Name, _ => { });
    }

    public void Resumed(TimeSpan pausedFor)
    {
        if (_format == LogFormat.Text) { if (Log.IsVerbose) Text($"guest resumed after {pausedFor.TotalSeconds:0.###} s paused"); return; }
        Json(Events.Resumed.Name, w => w.WriteNumber(Events.Resumed.PausedSeconds, Math.Round(pausedFor.TotalSeconds, 6)));
    }

    /// <summary>A failure; in text, followed by <paramref name="usage"/> if given (JSON readers built the command line themselves).</summary>
    public void Error(ErrorId id, string message, string? usage = null)
    {
        _lastError = message;
        if (_format == LogFormat.Text)
        {
            Text(message);
            if (usage is not null) lock (_lock) Sys.WriteAll(2, ByteString.Encode(usage + "\n"));
            return;
        }
        Json(Events.Error.Name, w => { w.WriteString(Events.Error.Id, id.Name()); w.WriteString(Events.Error.Message, ByteString.ForText(message)); });
    }

    /// <summary>
    /// The last line: why we stopped. Human text only when it is news: a clean exit says nothing (unless
    /// verbose), and a failure's error line is not repeated.
    /// </summary>
    public void Exit(ExitReason reason, string message)
    {
        if (_format == LogFormat.Text)
        {
            if ((reason.Code != 0 || Log.IsVerbose) && message != _lastError) Text(message);
            return;
        }
        Json(Events.Exit.Name, w =>
        {
            w.WriteString(Events.Exit.Reason, reason.Name);
            w.WriteNumber(Events.Exit.Code, reason.Code);
            w.WriteString(Events.Exit.Message, ByteString.ForText(message));
        });
    }

    private void Text(string message)
    {
        lock (_lock) Sys.WriteAll(2, ByteString.Encode($"lguest: {message}\n"));
    }

    private void Json(string ev, Action<Utf8JsonWriter> body)
    {
        var buf = new MemoryStream();
        using (var w = new Utf8JsonWriter(buf))
        {
            w.WriteStartObject();
            w.WriteString(Events.EventField, ev);
            w.WriteNumber(Events.TimeField, Math.Round(_clock.Elapsed.TotalSeconds, 6));
            body(w);
            w.WriteEndObject();
        }
        buf.WriteByte((byte)'\n');
        lock (_lock) Sys.WriteAll(2, buf.GetBuffer().AsSpan(0, (int)buf.Length));
    }
}
