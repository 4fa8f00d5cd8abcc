using System.Diagnostics;
using System.Text;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * A shell command run on a pseudo-terminal, as a user at a terminal runs the
 * engine: util-linux's script(1) gives it one. What the terminal shows is
 * read as it comes, so a test waits on a line, never on a sleep; `stty -a`
 * at the end of the command shows what the engine left the terminal in.
 */
public sealed class TerminalRun : IDisposable
{
    private const string Script = "/usr/bin/script";
    private readonly Process _p;
    private readonly StringBuilder _output = new();
    private readonly Task _reader;

    private TerminalRun(string command)
    {
        var psi = new ProcessStartInfo(Script, ["-qec", command, "/dev/null"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        _p = Process.Start(psi)!;
        _reader = Task.Run(() =>
        {
            var buf = new char[4096];
            int n;
            while ((n = _p.StandardOutput.Read(buf, 0, buf.Length)) > 0)
                lock (_output) { _output.Append(buf, 0, n); Monitor.PulseAll(_output); }
            lock (_output) Monitor.PulseAll(_output);
        });
    }

    /// <summary>Runs <paramref name="command"/> (sh syntax) on a terminal; skips where script(1) is missing.</summary>
    public static TerminalRun Start(string command)
    {
        Skip.IfNot(File.Exists(Script), "SKIPPED: util-linux's script(1) is needed to give the engine a terminal");
        return new TerminalRun(command);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Waits until the terminal has shown <paramref name="text"/>; returns all it showed.</summary>
    public string WaitFor(string text)
    {
        var deadline = DateTime.UtcNow + EngineProcess.DefaultTimeout;
        lock (_output)
            while (!_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _reader.IsCompleted)
                    throw new Xunit.Sdk.XunitException($"the terminal never showed '{text}':\n{_output}");
                Monitor.Wait(_output, left);
            }
        return Output;
    }

    /// <summary>Types <paramref name="text"/> at the terminal.</summary>
    public void Type(string text)
    {
        _p.StandardInput.Write(text);
        _p.StandardInput.Flush();
    }

    /// <summary>Waits for the command to end; returns all the terminal showed.</summary>
    public string Finish()
    {
        Assert.True(_p.WaitForExit(EngineProcess.DefaultTimeout), $"script did not finish:\n{Output}");
        _reader.Wait();
        return Output;
    }

    /// <summary>Asserts the terminal is back in cooked mode: `stty -a` shows icanon, echo and isig, not -icanon...</summary>
    public static void AssertRestored(string output)
    {
        Assert.Matches(@"(^|\s)icanon(\s|$)", output);
        Assert.Matches(@"(^|\s)echo(\s|$)", output);
        Assert.Matches(@"(^|\s)isig(\s|$)", output);
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill(true);
        _p.Dispose();
    }
}
