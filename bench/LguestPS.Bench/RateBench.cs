using System.Diagnostics;
using System.Globalization;
using LguestPS.Contract;

namespace LguestPS.Bench;

/*
 * Issue 15's creation rate: N VMs started at once, the clock running from
 * the first spawn until every guest has said its first line (it runs) and
 * until every VMM has exited (the test guest reboots at its end). Three
 * ways, each `rounds` times, interleaved, medians:
 *   lguest         N engines spawned back to back from this process; also when every engine was ready
 *                  (its ready event: KVM set up, the guest about to run)
 *   pwsh module    one pwsh session, N VMs described, then one `Start-LguestVm` for all of them,
 *                  timed inside PowerShell (module import and New-LguestVm are not counted)
 *   qemu-microvm   N QEMUs spawned the same way as the engines
 * VMs per second = N / time until all are running.
 */
public static class RateBench
{
    private const int MemMiB = 64;
    private const string Append = "tests=paging";
    private const string Marker = "lguest test guest:";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private sealed record Round(double AllReadyMs, double AllFirstLineMs, double AllExitedMs);

    public static int Run(string lguest, string image, int n, int rounds, string? pwsh, string? modulePsd1)
    {
        // Two readers per VM block on pipes: threads up front, or the pool's slow growth would be the figure.
        ThreadPool.SetMinThreads(4 * n + 16, 4 * n + 16);
        var l = Peer.Lguest(lguest, MemMiB, image, Append, "--log-format=json");
        var q = Peer.QemuMicrovm(MemMiB, image, Append);
        var res = new Dictionary<string, List<Round>> { ["lguest"] = new(), ["pwsh module"] = new(), ["qemu-microvm"] = new() };
        Console.WriteLine($"creation rate: {n} VMs at once, {Path.GetFileName(image)}, {MemMiB} MiB each, '{Append}', {rounds} rounds, medians");
        for (int i = 0; i < rounds; i++)
        {
            res["lguest"].Add(Spawn(l, n, engine: true));
            if (pwsh != null && modulePsd1 != null) res["pwsh module"].Add(Module(pwsh, modulePsd1, lguest, image, n));
            res["qemu-microvm"].Add(Spawn(q, n, engine: false));
        }
        Console.WriteLine($"{"",-14} {"all ready",11} {"all running",12} {"all exited",11} {"VMs/s (running)",16}");
        foreach (var (name, rs) in res)
        {
            if (rs.Count == 0) continue;
            double ready = Runner.Median(rs.Select(r => r.AllReadyMs)), first = Runner.Median(rs.Select(r => r.AllFirstLineMs));
            double exited = Runner.Median(rs.Select(r => r.AllExitedMs));
            string readyText = double.IsNaN(ready) ? "-" : $"{ready:F1} ms";
            Console.WriteLine($"{name,-14} {readyText,11} {first,9:F1} ms {exited,8:F1} ms {n / (first / 1000),16:F1}");
        }
        double lf = Runner.Median(res["lguest"].Select(r => r.AllFirstLineMs)), qf = Runner.Median(res["qemu-microvm"].Select(r => r.AllFirstLineMs));
        double le = Runner.Median(res["lguest"].Select(r => r.AllExitedMs)), qe = Runner.Median(res["qemu-microvm"].Select(r => r.AllExitedMs));
        Console.WriteLine($"lguest/qemu-microvm: all running {lf / qf:F3}, all exited {le / qe:F3}");
        return 0;
    }

    /// <summary>N processes spawned back to back; each watched on its own threads.</summary>
    private static Round Spawn(Peer peer, int n, bool engine)
    {
        var clock = Stopwatch.StartNew();
        var ready = new double[n];
        var first = new double[n];
        var procs = new List<(Process P, Task Out, Task Err)>();
        for (int i = 0; i < n; i++)
        {
            var psi = new ProcessStartInfo(peer.Exe)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            foreach (var a in peer.Args) psi.ArgumentList.Add(a);
            var p = Process.Start(psi)!;
            int k = i;
            ready[k] = first[k] = double.NaN;
            var o = Task.Run(() => Watch(p.StandardOutput, line => line.Contains(Marker), clock, t => first[k] = t));
            var e = Task.Run(() => Watch(p.StandardError,
                line => engine && line.StartsWith('{') && line.Contains($"\"{Events.EventField}\":\"{Events.Ready.Name}\""), clock, t => ready[k] = t));
            procs.Add((p, o, e));
        }
        double lastExit = 0;
        foreach (var (p, o, e) in procs)
        {
            if (!p.WaitForExit(Timeout)) { p.Kill(true); throw new TimeoutException($"{peer.Name} did not finish in {Timeout}"); }
            lastExit = Math.Max(lastExit, clock.Elapsed.TotalMilliseconds);
            Task.WaitAll(o, e);
            if (p.ExitCode != 0) throw new InvalidOperationException($"{peer.Name} exited with {p.ExitCode}");
            p.Dispose();
        }
        if (first.Any(double.IsNaN)) throw new InvalidOperationException($"{peer.Name}: {first.Count(double.IsNaN)} of {n} guests never said '{Marker}'");
        return new Round(engine ? ready.Max() : double.NaN, first.Max(), lastExit);
    }

    /// <summary>Reads lines to the end; the first that matches is timestamped (an exit's time is the waiter's, not this).</summary>
    private static void Watch(StreamReader r, Func<string, bool> match, Stopwatch clock, Action<double> mark)
    {
        bool seen = false;
        string? line;
        while ((line = r.ReadLine()) != null)
            if (!seen && match(line)) { seen = true; mark(clock.Elapsed.TotalMilliseconds); }
    }

    private static Round Module(string pwsh, string psd1, string lguest, string image, int n)
    {
        string script = $$"""
            $ErrorActionPreference = 'Stop'
            Import-Module '{{Path.GetFullPath(psd1)}}'
            $vms = 1..{{n}} | ForEach-Object { New-LguestVm -Name "rate$_" -MemoryMB {{MemMiB}} -Kernel '{{Path.GetFullPath(image)}}' -KernelArguments '{{Append}}' -OnReboot Exit }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $jobs = $vms | Start-LguestVm
            foreach ($vm in $vms) { Wait-LguestVm -VM $vm -Pattern '^{{Marker}}' -Timeout 300 | Out-Null }
            $first = $clock.Elapsed.TotalMilliseconds
            $jobs | Wait-Job -Timeout 300 | Out-Null
            $done = $clock.Elapsed.TotalMilliseconds
            $bad = @($jobs | Where-Object State -ne Completed)
            if ($bad.Count) { throw "$($bad.Count) jobs did not complete: $($bad[0].JobStateInfo.Reason)" }
            'RATE {0} {1}' -f $first, $done
            $jobs | Remove-Job
            $vms | Remove-LguestVm
            """;
        var psi = new ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", script }) psi.ArgumentList.Add(a);
        psi.Environment["LGUESTPS_ENGINE"] = Path.GetFullPath(lguest);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(x => x.StartsWith("RATE ", StringComparison.Ordinal))?.Trim().Split(' ');
        if (p.ExitCode != 0 || line == null) throw new InvalidOperationException($"pwsh failed (exit {p.ExitCode}):\n{output}\n{err.Result}");
        return new Round(double.NaN, double.Parse(line[1], CultureInfo.InvariantCulture), double.Parse(line[2], CultureInfo.InvariantCulture));
    }
}
