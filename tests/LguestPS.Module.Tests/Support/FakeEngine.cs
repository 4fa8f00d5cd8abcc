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

    internal const string Ready =
        """echo '{"event":"ready","time":0.001,"memoryMB":64,"cpus":1,"kernel":"vmlinuz","format":"bzImage","devices":["rng"],"pvm":false}' >&2""";

    internal static string ExitEvent(string reason, int code, string message = "bye") =>
        $$"""echo '{"event":"exit","time":0.1,"reason":"{{reason}}","code":{{code}},"message":"{{message}}"}' >&2; exit {{code}}""";

    internal static string ErrorEvent(string id, string message) =>
        $$"""echo '{"event":"error","time":0.05,"id":"{{id}}","message":"{{message}}"}' >&2""";

    /// <summary>Runs until SIGTERM, then says so and exits 143 as the engine does.</summary>
    internal const string RunUntilTerm =
        """trap 'echo "{\"event\":\"exit\",\"time\":1,\"reason\":\"sigterm\",\"code\":143,\"message\":\"stopped by SIGTERM\"}" >&2; exit 143' TERM; while :; do sleep 0.05; done""";

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

    /// <summary>Field 5 of /proc/pid/stat: the process group id.</summary>
    internal static int ProcessGroupId(int pid) => int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Trim().Split(' ')[2]);

    internal static void WaitGone(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Exists(pid) && DateTime.UtcNow < deadline) Thread.Sleep(20);
    }
}
