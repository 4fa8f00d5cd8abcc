using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LguestPS.Client;

/// <summary>One line the engine wrote on stderr: a JSON event, or (Name "text") a line that was not JSON.</summary>
internal sealed class EngineEvent
{
    internal const string Ready = "ready", Reboot = "reboot", Error = "error", Log = "log", Exit = "exit", Text = "text";

    private readonly Dictionary<string, object?> _fields;

    private EngineEvent(string name, TimeSpan time, Dictionary<string, object?> fields)
    {
        Name = name;
        Time = time;
        _fields = fields;
    }

    /// <summary>The event's name (docs/engine.md), or "text" for a line that was not a JSON event.</summary>
    internal string Name { get; }

    /// <summary>When it happened, in the engine's clock (seconds since its start).</summary>
    internal TimeSpan Time { get; }

    internal string? GetString(string field) => _fields.TryGetValue(field, out var v) ? v as string : null;

    internal double? GetNumber(string field) => _fields.TryGetValue(field, out var v) && v is double d ? d : null;

    internal bool? GetBool(string field) => _fields.TryGetValue(field, out var v) && v is bool b ? b : null;

    internal IReadOnlyList<string> GetStrings(string field) =>
        _fields.TryGetValue(field, out var v) && v is List<object?> list ? list.OfType<string>().ToList() : Array.Empty<string>();

    /// <summary>Reads one stderr line. Anything that is not an object with an "event" name becomes a text event.</summary>
    internal static EngineEvent Parse(string line, TimeSpan arrived)
    {
        var obj = JsonLine.TryParseObject(line);
        if (obj != null && obj.TryGetValue("event", out var ev) && ev is string name)
        {
            var time = obj.TryGetValue("time", out var t) && t is double secs && secs >= 0 && secs < TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromTicks((long)(secs * TimeSpan.TicksPerSecond))
                : arrived;
            return new EngineEvent(name, time, obj);
        }
        return new EngineEvent(Text, arrived, new Dictionary<string, object?> { ["message"] = line });
    }

    /// <summary>A one-line description for the Verbose and Warning streams.</summary>
    internal string Describe()
    {
        switch (Name)
        {
            case Ready:
                var devices = GetStrings("devices");
                return string.Format(CultureInfo.InvariantCulture,
                    "guest ready after {0:0.000} s: {1} MiB, {2} vCPU(s), {3} {4}{5}{6}",
                    Time.TotalSeconds, GetNumber("memoryMB"), GetNumber("cpus"), GetString("format"), GetString("kernel"),
                    devices.Count > 0 ? ", devices: " + string.Join(", ", devices) : "",
                    GetBool("pvm") == true ? " (PVM host: software-only KVM)" : "");
            case Reboot:
                return string.Format(CultureInfo.InvariantCulture, "guest rebooted ({0}), boot {1}", GetString("reason"), GetNumber("count"));
            case Exit:
                return string.Format(CultureInfo.InvariantCulture, "engine exited: {0} (code {1}): {2}", GetString("reason"), GetNumber("code"), GetString("message"));
            case Error:
                return $"{GetString("id")}: {GetString("message")}";
            default:
                return GetString("message") ?? Name;
        }
    }
}
