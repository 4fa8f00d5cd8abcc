using System.Diagnostics;
using System.Text;

namespace LguestPS.Bench;

/*
 * One VMM run driven like a person at its console: its output read as it
 * comes (a prompt has no newline), each marker timestamped the first time it
 * appears (ms since spawn), and one line typed when a prompt shows up after
 * a given marker. Under GNU time, like Runner, for the kernel's peak RSS.
 */
public sealed class ConsoleSession
{
    public Dictionary<string, double> Marks { get; } = new();
    public string Output { get; private set; } = "";
    public string Stderr { get; private set; } = "";

    /// <summary>Each stderr line with when it arrived (ms since spawn): the engine's events, on our clock.</summary>
    public List<(double Ms, string Line)> StderrLines { get; } = new();
    public long PeakRssKiB { get; private set; } = -1;
    public int ExitCode { get; private set; }

    public static ConsoleSession Run(Peer peer, string[] markers, (string After, string Prompt, string Type)? answer, TimeSpan timeout,
        Action<Stopwatch>? alongside = null)
    {
        var s = new ConsoleSession();
        var (psi, rssFile) = Runner.UnderTime(peer.Exe, peer.Args);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var side = alongside is null ? Task.CompletedTask : Task.Run(() => alongside(clock));
        var err = Task.Run(() =>
        {
            var all = new StringBuilder();
            string? line;
            while ((line = p.StandardError.ReadLine()) != null)
            {
                lock (s.StderrLines) s.StderrLines.Add((clock.Elapsed.TotalMilliseconds, line));
                all.AppendLine(line);
            }
            return all.ToString();
        });
        var text = new StringBuilder();
        bool typed = answer is null;
        var reader = Task.Run(() =>
        {
            var buf = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buf, 0, buf.Length)) > 0)
            {
                text.Append(buf, 0, n);
                string all = text.ToString();
                double now = clock.Elapsed.TotalMilliseconds;
                foreach (var m in markers)
                    if (!s.Marks.ContainsKey(m) && all.Contains(m)) s.Marks[m] = now;
                if (!typed && all.IndexOf(answer!.Value.After, StringComparison.Ordinal) is int at and >= 0
                    && all.IndexOf(answer.Value.Prompt, at, StringComparison.Ordinal) >= 0)
                {
                    typed = true;
                    p.StandardInput.Write(answer.Value.Type);
                    p.StandardInput.Flush();
                }
            }
        });
        if (!p.WaitForExit(timeout))
        {
            p.Kill(true);
            throw new TimeoutException($"{peer.Name} did not finish within {timeout.TotalSeconds} s:\n{text}");
        }
        reader.Wait();
        side.Wait(timeout);
        s.Output = text.ToString();
        s.Stderr = err.Result;
        s.ExitCode = p.ExitCode;
        s.PeakRssKiB = Runner.PeakRssKiB(rssFile);
        return s;
    }
}
