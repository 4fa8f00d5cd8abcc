using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Cli;

/*
 * Diagnostics on stderr: a line of text for people, or (--log-format=json)
 * one JSON object per line for the PowerShell module. Utf8JsonWriter keeps
 * us reflection-free for Native AOT. The exit event is always the last line.
 */
public sealed class EventLog
{
    private readonly LogFormat _format;
    private readonly Stopwatch _clock;
    private readonly object _lock = new();

    public EventLog(LogFormat format, Stopwatch clock)
    {
        _format = format;
        _clock = clock;
    }

    /// <summary>Routes Log.Verbose/Warning from every layer through this log.</summary>
    public void Install(bool verbose)
    {
        Log.IsVerbose = verbose;
        Log.Sink = (level, msg) =>
        {
            if (_format == LogFormat.Text) Text(msg);
            else Json(Events.Log.Name, w => { w.WriteString(Events.Log.Level, level); w.WriteString(Events.Log.Message, msg); });
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
            w.WriteString(Events.Ready.Kernel, kernel);
            w.WriteString(Events.Ready.Format, format);
            w.WriteString(Events.Ready.Cmdline, cmdline);
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

    public void Error(ErrorId id, string message)
    {
        if (_format == LogFormat.Text) { Text(message); return; }
        Json(Events.Error.Name, w => { w.WriteString(Events.Error.Id, id.Name()); w.WriteString(Events.Error.Message, message); });
    }

    /// <summary>The last line: why we stopped. Human text only when it is news (a clean exit says nothing).</summary>
    public void Exit(ExitReason reason, string message)
    {
        if (_format == LogFormat.Text)
        {
            if (reason.Code != 0 || Log.IsVerbose) Text(message);
            return;
        }
        Json(Events.Exit.Name, w =>
        {
            w.WriteString(Events.Exit.Reason, reason.Name);
            w.WriteNumber(Events.Exit.Code, reason.Code);
            w.WriteString(Events.Exit.Message, message);
        });
    }

    private void Text(string message)
    {
        lock (_lock) Sys.WriteAll(2, Encoding.UTF8.GetBytes($"lguest: {message}\n"));
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
