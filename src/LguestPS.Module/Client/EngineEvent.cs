using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LguestPS.Contract;

namespace LguestPS.Client;

/// <summary>One line the engine wrote on stderr: a JSON event (LguestPS.Contract.Events), or (Name "text") a line that was not JSON.</summary>
internal sealed class EngineEvent
{
    /// <summary>The name this module gives a stderr line that is not an event: the engine never uses it.</summary>
    internal const string Text = "text";

    /// <summary>The field a text line's words go in.</summary>
    private const string TextField = "line";

    private readonly Dictionary<string, object?> _fields;

    private EngineEvent(string name, TimeSpan time, Dictionary<string, object?> fields)
    {
        Name = name;
        Time = time;
        _fields = fields;
    }

    /// <summary>The event's name (Events.*.Name), or <see cref="Text"/> for a line that was not a JSON event.</summary>
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
        if (obj != null && obj.TryGetValue(Events.EventField, out var ev) && ev is string name)
        {
            var time = obj.TryGetValue(Events.TimeField, out var t) && t is double secs && secs >= 0 && secs < TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromTicks((long)(secs * TimeSpan.TicksPerSecond))
                : arrived;
            return new EngineEvent(name, time, obj);
        }
        return new EngineEvent(Text, arrived, new Dictionary<string, object?> { [TextField] = line });
    }

    /// <summary>A one-line description for the Verbose and Warning streams.</summary>
    internal string Describe()
    {
        switch (Name)
        {
            case Events.Ready.Name:
                var devices = GetStrings(Events.Ready.Devices);
                return string.Format(CultureInfo.InvariantCulture,
                    "guest ready after {0:0.000} s: {1} MiB, {2} vCPU(s), {3} {4}{5}{6}",
                    Time.TotalSeconds, GetNumber(Events.Ready.MemoryMB), GetNumber(Events.Ready.Cpus), GetString(Events.Ready.Format),
                    GetString(Events.Ready.Kernel),
                    devices.Count > 0 ? ", devices: " + string.Join(", ", devices) : "",
                    GetBool(Events.Ready.Pvm) == true ? " (PVM host: software-only KVM)" : "");
            case Events.Reboot.Name:
                return string.Format(CultureInfo.InvariantCulture, "guest rebooted ({0}), boot {1}",
                    GetString(Events.Reboot.Reason), GetNumber(Events.Reboot.Count));
            case Events.BootTime.Name:
                return string.Format(CultureInfo.InvariantCulture, "guest reached userspace {0:0.000} s after power-on (boot {1}), {2:0.000} s after the engine started",
                    GetNumber(Events.BootTime.FromPowerOn), GetNumber(Events.BootTime.Boot), Time.TotalSeconds);
            case Events.Exit.Name:
                return string.Format(CultureInfo.InvariantCulture, "engine exited: {0} (code {1}): {2}",
                    GetString(Events.Exit.Reason), GetNumber(Events.Exit.Code), GetString(Events.Exit.Message));
            case Events.Error.Name:
                return $"{GetString(Events.Error.Id)}: {GetString(Events.Error.Message)}";
            case Events.Log.Name:
                return GetString(Events.Log.Message) ?? Name;
            case Text:
                return GetString(TextField) ?? "";
            default:
                return Name; // an event this module does not know yet: its name is all it can say
        }
    }
}
