using System.Diagnostics;

namespace LguestPS.Bench;

/// <summary>One run of a VMM command: when its guest said its first line, when it exited, how much memory it peaked at.</summary>
public sealed record RunResult(double FirstLineMs, double ExitMs, long PeakRssKiB, int ExitCode, string Output)
{
    /// <summary>What the VMM wrote on stderr (the engine's events under --log-format=json).</summary>
    public string Stderr { get; init; } = "";

    /// <summary>When each marker's first line arrived (ms since spawn); missing markers are absent.</summary>
    public Dictionary<string, double> Marks { get; init; } = new();
}

/*
 * Runs a command under GNU time (for the peak RSS the kernel measured, not a
 * sample of ours) and timestamps its stdout: the clock starts just before
 * the process is spawned, the first mark is the first line that matches,
 * the second is the exit. Both VMMs pay the same fork/exec of `time`.
 */
public static class Runner
{
    public static RunResult Run(string exe, IEnumerable<string> args, string firstLineMarker, TimeSpan timeout, string? stdin = null, params string[] moreMarkers) =>
        RunWithEnv(exe, args, firstLineMarker, timeout, new Dictionary<string, string>(), stdin, moreMarkers);

    /// <summary>As above, with these variables added to the VMM's environment.</summary>
    public static RunResult RunWithEnv(string exe, IEnumerable<string> args, string firstLineMarker, TimeSpan timeout,
        IReadOnlyDictionary<string, string> env, string? stdin = null, params string[] moreMarkers)
    {
        var (psi, rssFile) = UnderTime(exe, args);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        double first = -1;
        var marks = new Dictionary<string, double>();
        var output = new System.Text.StringBuilder();
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin != null) { p.StandardInput.Write(stdin); p.StandardInput.Flush(); }
        var reader = Task.Run(() =>
        {
            string? line;
            while ((line = p.StandardOutput.ReadLine()) != null)
            {
                if (first < 0 && line.Contains(firstLineMarker)) first = clock.Elapsed.TotalMilliseconds;
                foreach (var m in moreMarkers)
                    if (!marks.ContainsKey(m) && line.Contains(m)) marks[m] = clock.Elapsed.TotalMilliseconds;
                output.AppendLine(line);
            }
        });
        if (!p.WaitForExit(timeout))
        {
            p.Kill(true);
            throw new TimeoutException($"{exe} did not finish within {timeout.TotalSeconds} s:\n{output}");
        }
        double exit = clock.Elapsed.TotalMilliseconds;
        reader.Wait();
        errTask.Wait();
        long rss = PeakRssKiB(rssFile);
        return new RunResult(first, exit, rss, p.ExitCode, output.ToString()) { Marks = marks, Stderr = errTask.Result };
    }

    /// <summary>The command under GNU time, all three streams redirected; the file time writes the peak RSS to.</summary>
    public static (ProcessStartInfo Psi, string RssFile) UnderTime(string exe, IEnumerable<string> args)
    {
        string rssFile = Path.GetTempFileName();
        var psi = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-f", "%M", "-o", rssFile, exe }.Concat(args)) psi.ArgumentList.Add(a);
        return (psi, rssFile);
    }

    /// <summary>Reads (and deletes) GNU time's figure: the peak RSS in KiB, or -1.</summary>
    public static long PeakRssKiB(string rssFile)
    {
        long rss = long.TryParse(File.ReadAllLines(rssFile).LastOrDefault(l => l.Trim().Length > 0)?.Trim(), out var r) ? r : -1;
        File.Delete(rssFile);
        return rss;
    }

    public static double Median(IEnumerable<double> xs)
    {
        var a = xs.OrderBy(x => x).ToArray();
        return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
