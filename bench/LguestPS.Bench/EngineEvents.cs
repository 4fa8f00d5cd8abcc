using System.Text.Json;
using LguestPS.Contract;

namespace LguestPS.Bench;

/// <summary>The engine's JSON events (docs/engine.md), read from what it wrote on stderr.</summary>
public static class EngineEvents
{
    public static IEnumerable<JsonElement> All(string stderr)
    {
        foreach (var line in stderr.Split('\n'))
        {
            if (!line.StartsWith('{')) continue;
            JsonElement e;
            try { e = JsonDocument.Parse(line).RootElement.Clone(); }
            catch (JsonException) { continue; }
            yield return e;
        }
    }

    /// <summary>The first event of this name, or throws with what the engine said instead.</summary>
    public static JsonElement First(string stderr, string name) =>
        All(stderr).FirstOrDefault(e => e.TryGetProperty(Events.EventField, out var n) && n.GetString() == name) is { ValueKind: JsonValueKind.Object } e
            ? e : throw new InvalidOperationException($"the engine wrote no '{name}' event:\n{stderr}");

    /// <summary>The event's time (seconds since the engine started) in ms.</summary>
    public static double TimeMs(string stderr, string name) => First(stderr, name).GetProperty(Events.TimeField).GetDouble() * 1000;
}
