using System.Text.Json;
using LguestPS.Contract;

namespace LguestPS.Module.Tests;

/*
 * Real child processes that speak the engine's contract (docs/engine.md):
 * console bytes on stdout, one JSON event per line on stderr, an exit code.
 * They let the engine client, the job and the error mapping be tested
 * against processes that behave like the engine in every way but booting.
 */
internal sealed class FakeEngine : IDisposable
{
    private readonly string? _previous;

    private FakeEngine(string path)
    {
        Path_ = path;
        _previous = Environment.GetEnvironmentVariable("LGUESTPS_ENGINE");
        Environment.SetEnvironmentVariable("LGUESTPS_ENGINE", path);
    }

    public string Path_ { get; }

    /// <summary>Writes a /bin/sh script as the engine and points $env:LGUESTPS_ENGINE at it until disposed.</summary>
    internal static FakeEngine Script(string dir, string body)
    {
        string path = Path.Combine(dir, $"fake-engine-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FakeEngine(path);
    }

    /*
     * What the fake engines say, in the contract's words (LguestPS.Contract):
     * shell lines that write one JSON event on stderr, or that end the
     * process the way an engine ends, with the exit event and the exit code
     * of one row of the exit table.
     */

    /// <summary>One JSON event line, its fields in order, as the engine writes them.</summary>
    internal static string Json(string name, double time, params (string Field, object Value)[] fields)
    {
        var obj = new Dictionary<string, object> { [Events.EventField] = name, [Events.TimeField] = time };
        foreach (var (field, value) in fields) obj[field] = value;
        return JsonSerializer.Serialize(obj);
    }

    /// <summary>A shell line that writes the event on stderr.</summary>
    internal static string Say(string json) => $"echo {Quote(json)} >&2";

    internal static readonly string Ready = Say(Json(Events.Ready.Name, 0.001,
        (Events.Ready.MemoryMB, 64), (Events.Ready.Cpus, 1), (Events.Ready.Kernel, "vmlinuz"),
        (Events.Ready.Format, Events.Ready.Formats.BzImage), (Events.Ready.Cmdline, ""),
        (Events.Ready.Devices, new[] { Events.Ready.DeviceNames.Serial, Events.Ready.DeviceNames.Console, Events.Ready.DeviceNames.Rng }),
        (Events.Ready.Pvm, false)));

    /*
     * An engine whose "guest" is a busybox shell on a real terminal (script(1)), started in the
     * given folder. The prompt is set where script's $SHELL -c cannot drop it (bash unsets PS1 when
     * not interactive); ^C must reach the shell's commands even when a CI runner ignores SIGINT.
     */
    internal static FakeEngine BusyBoxShell(string dir, string shellDir = ".") => Script(dir, $"""
        {Ready}
        export TERM=dumb
        cd {shellDir}
        exec script -qfec 'exec env --default-signal=INT,QUIT PS1="\\w # " busybox sh -i' /dev/null
        """);

    internal static string ExitJson(ExitReason reason, string message) =>
        Json(Events.Exit.Name, 0.1, (Events.Exit.Reason, reason.Name), (Events.Exit.Code, reason.Code), (Events.Exit.Message, message));

    /// <summary>Ends the fake engine as the engine ends for this reason: its exit event, then its exit code.</summary>
    internal static string ExitEvent(ExitReason reason, string message = "bye") =>
        $"{Say(ExitJson(reason, message))}; exit {reason.Code}";

    internal static string ErrorEvent(ErrorId id, string message) =>
        Say(Json(Events.Error.Name, 0.05, (Events.Error.Id, id.Name()), (Events.Error.Message, message)));

    internal static string LogEvent(string level, string message) =>
        Say(Json(Events.Log.Name, 0.01, (Events.Log.Level, level), (Events.Log.Message, message)));

    /// <summary>Runs until SIGTERM, then says so and exits as the engine does.</summary>
    internal static readonly string RunUntilTerm =
        $"on_term() {{ {ExitEvent(ExitReason.SigTerm, "stopped by SIGTERM")}; }}; trap on_term TERM; while :; do sleep 0.05; done";

    /// <summary>A word in single quotes for /bin/sh.</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    public void Dispose() => Environment.SetEnvironmentVariable("LGUESTPS_ENGINE", _previous);
}

internal static class Proc
{
    internal static bool Exists(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Trim().StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    internal static void WaitGone(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Exists(pid) && DateTime.UtcNow < deadline) Thread.Sleep(20);
    }
}
