using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * Runs the real `lguest` engine as a child process, the way a user (or the
 * PowerShell module) does, and watches its stdout (the guest console) and
 * stderr (JSON events). Waits are on output, never on sleeps; each has a
 * generous deadline so a broken engine fails a test instead of hanging it.
 */
public sealed class EngineProcess : IDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly List<JsonElement> _events = new();
    private readonly object _lock = new();
    private readonly Task _outPump, _errPump;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    private EngineProcess(Process p)
    {
        _p = p;
        _outPump = Task.Run(() => Pump(p.StandardOutput, _out, false));
        _errPump = Task.Run(() => Pump(p.StandardError, _err, true));
    }

    /// <summary>The Native AOT engine the test build published (what users run).</summary>
    public static string Binary => Path.Combine(TestGuest.RepoRoot, "out/engine/lguest");

    /// <summary>Starts lguest with these arguments.</summary>
    public static EngineProcess Start(params string[] args) =>
        Launch(Binary, args);

    /// <summary>
    /// Starts lguest with the standard descriptors in <paramref name="closed"/> (0, 1, 2) closed, the way a
    /// parent's `lguest ... &lt;&amp;- &gt;&amp;-` would: bash closes them and execs the engine, which keeps bash's pid.
    /// </summary>
    public static EngineProcess StartClosing(IEnumerable<int> closed, params string[] args) =>
        StartShell($"exec \"$0\" \"$@\" {string.Join(' ', closed.Select(fd => $"{fd}<&-"))}", args);

    /// <summary>
    /// Runs a bash <paramref name="script"/> in which $0 is the engine and "$@" the arguments: for what a
    /// parent does around it that .NET's Process cannot (closed descriptors, bytes that are not UTF-8, a
    /// parent to kill). The process watched is bash, or the engine if the script execs it.
    /// </summary>
    public static EngineProcess StartShell(string script, params string[] args) => Launch("bash", ["-c", script, Binary, .. args]);

    private static EngineProcess Launch(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return new EngineProcess(Process.Start(psi)!);
    }

    public int Pid => _p.Id;

    private void Pump(StreamReader r, StringBuilder sb, bool events)
    {
        char[] buf = new char[4096];
        var line = new StringBuilder();
        int n;
        while ((n = r.Read(buf, 0, buf.Length)) > 0)
        {
            lock (_lock)
            {
                sb.Append(buf, 0, n);
                if (events)
                    for (int i = 0; i < n; i++)
                    {
                        if (buf[i] != '\n') { line.Append(buf[i]); continue; }
                        string l = line.ToString();
                        line.Clear();
                        if (l.StartsWith('{')) _events.Add(JsonDocument.Parse(l).RootElement.Clone());
                    }
                Monitor.PulseAll(_lock);
            }
        }
        lock (_lock) Monitor.PulseAll(_lock);
    }

    public string Stdout { get { lock (_lock) return _out.ToString(); } }
    public string Stderr { get { lock (_lock) return _err.ToString(); } }
    public IReadOnlyList<JsonElement> Events { get { lock (_lock) return _events.ToList(); } }

    /// <summary>Waits until stdout contains <paramref name="text"/> (optionally a given number of times).</summary>
    public void WaitForOutput(string text, int count = 1, TimeSpan? timeout = null) => WaitFor(_out, _outPump, "output", text, count, timeout);

    /// <summary>Waits until stderr contains <paramref name="text"/>.</summary>
    public void WaitForStderr(string text, TimeSpan? timeout = null) => WaitFor(_err, _errPump, "stderr", text, 1, timeout);

    private void WaitFor(StringBuilder sb, Task pump, string what, string text, int count, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        lock (_lock)
        {
            while (Occurrences(sb.ToString(), text) < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || (_p.HasExited && pump.IsCompleted))
                    throw new Xunit.Sdk.XunitException(
                        $"engine {what} never showed '{text}' x{count}.\n--- stdout ---\n{_out}\n--- stderr ---\n{_err}");
                Monitor.Wait(_lock, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Waits for the first JSON event of this kind (e.g. "ready") and returns it.</summary>
    public JsonElement WaitForEvent(string name, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        lock (_lock)
            while (true)
            {
                foreach (var e in _events)
                    if (e.GetProperty("event").GetString() == name) return e;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || (_p.HasExited && _errPump.IsCompleted))
                    throw new Xunit.Sdk.XunitException($"engine never sent a '{name}' event.\n--- stderr ---\n{_err}");
                Monitor.Wait(_lock, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            }
    }

    private static int Occurrences(string s, string t)
    {
        int n = 0;
        for (int i = s.IndexOf(t, StringComparison.Ordinal); i >= 0; i = s.IndexOf(t, i + t.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    public void WriteStdin(string text)
    {
        _p.StandardInput.Write(text);
        _p.StandardInput.Flush();
    }

    public void Signal(int signal) => Tmds.Linux.LibC.kill(_p.Id, signal);

    /// <summary>Waits for the process to end and its output to drain; returns the exit code.</summary>
    public int WaitForExit(TimeSpan? timeout = null)
    {
        if (!_p.WaitForExit(timeout ?? DefaultTimeout))
        {
            _p.Kill(true);
            throw new Xunit.Sdk.XunitException($"engine did not exit in time.\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
        }
        Task.WaitAll(_outPump, _errPump);
        return _p.ExitCode;
    }

    /// <summary>The last JSON event (which must be the exit event).</summary>
    public JsonElement ExitEvent
    {
        get
        {
            var e = Events.LastOrDefault();
            Assert.True(e.ValueKind == JsonValueKind.Object, $"no JSON events on stderr:\n{Stderr}");
            Assert.Equal("exit", e.GetProperty("event").GetString());
            return e;
        }
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill(true);
        _p.Dispose();
    }
}
