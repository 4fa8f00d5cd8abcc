using System.Diagnostics;
using System.Globalization;

namespace LguestPS.Bench;

/*
 * What the PowerShell module adds to a start: Start-LguestVm to its return
 * (it returns once the engine said ready), to the first console record and
 * to the test guest's last line, against the engine started alone (to its
 * first console line and the same last line). The module side runs in one
 * pwsh process (pwsh's own start-up is not the module's), timed inside
 * PowerShell from just before Start-LguestVm.
 * This was a test once; a figure is not a pass or a fail, so it lives here.
 */
public static class ModuleBench
{
    private const string Done = "TESTS DONE";

    public static int Run(string lguest, string image, int runs)
    {
        string manifest = Path.GetFullPath(Path.Combine("out", "LguestPS", "LguestPS.psd1"));
        if (!File.Exists(manifest)) throw new FileNotFoundException("build the module folder first (./build.sh build)", manifest);
        var timeout = TimeSpan.FromMinutes(2);

        var alone = new List<RunResult>();
        for (int i = 0; i < runs; i++)
        {
            var r = Runner.Run(lguest, ["--on-reboot=exit", "64", image], "", timeout, null, Done);
            if (r.ExitCode != 0 || !r.Marks.ContainsKey(Done)) throw new InvalidOperationException($"the engine did not run the guest to the end:\n{r.Output}");
            alone.Add(r);
        }

        string script = $$"""
            1..{{runs}} | ForEach-Object {
                $vm = New-LguestVm -MemoryMB 64 -Kernel '{{Path.GetFullPath(image)}}' -OnReboot Exit
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $job = $vm | Start-LguestVm
                $returned = $clock.Elapsed.TotalMilliseconds
                Wait-LguestVm -VM $vm -Pattern '.' -Timeout 60 | Out-Null
                $first = $clock.Elapsed.TotalMilliseconds
                Wait-LguestVm -VM $vm -Pattern '^{{Done}}' -Timeout 120 | Out-Null
                'RUN {0} {1} {2}' -f $returned, $first, $clock.Elapsed.TotalMilliseconds
                $job | Wait-Job | Remove-Job
                $vm | Remove-LguestVm
            }
            """;
        var psi = new ProcessStartInfo("pwsh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{manifest}'; {script}" }) psi.ArgumentList.Add(a);
        psi.Environment["LGUESTPS_ENGINE"] = Path.GetFullPath(lguest);
        using var p = Process.Start(psi)!;
        var module = p.StandardOutput.ReadToEnd().Split('\n')
            .Where(l => l.StartsWith("RUN ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(f => (Returned: double.Parse(f[1], CultureInfo.InvariantCulture), First: double.Parse(f[2], CultureInfo.InvariantCulture),
                          Done: double.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
        p.WaitForExit();
        if (p.ExitCode != 0 || module.Count != runs) throw new InvalidOperationException($"pwsh ran {module.Count} of {runs} starts (exit {p.ExitCode})");

        Console.WriteLine($"module start-up: {Path.GetFileName(image)}, 64 MiB, {runs} runs each, medians in ms");
        Console.WriteLine($"{"",-24} {"returned",12} {"first line",12} {Done,12}");
        Console.WriteLine($"{"engine alone",-24} {"",12} {Runner.Median(alone.Select(r => r.FirstLineMs)),12:F1} {Runner.Median(alone.Select(r => r.Marks[Done])),12:F1}");
        Console.WriteLine($"{"Start-LguestVm (a job)",-24} {Runner.Median(module.Select(m => m.Returned)),12:F1} {Runner.Median(module.Select(m => m.First)),12:F1} {Runner.Median(module.Select(m => m.Done)),12:F1}");
        Console.WriteLine($"{"what the module adds",-24} {"",12} {Runner.Median(module.Select(m => m.First)) - Runner.Median(alone.Select(r => r.FirstLineMs)),12:F1} " +
                          $"{Runner.Median(module.Select(m => m.Done)) - Runner.Median(alone.Select(r => r.Marks[Done])),12:F1}");
        return 0;
    }
}
