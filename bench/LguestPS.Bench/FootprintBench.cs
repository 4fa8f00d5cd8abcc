using System.Globalization;
using System.Text.RegularExpressions;
using LguestPS.Contract;

namespace LguestPS.Bench;

/*
 * Issue 15's footprint: what the engine costs beyond its guest's RAM, for
 * the test guest with console, block and rng (the guest drives all three),
 * and how soon it is ready. The figure is the engine's own (--verbose, at
 * exit): peak RSS (VmHWM) minus the guest RAM resident at that time. Each
 * variant is an engine binary, optionally with environment variables (the
 * runtime's GC knobs, DOTNET_*), so publish options and runtime settings are
 * measured the same way, interleaved, medians.
 *   footprint <image> <runs> <name>=<lguest>[@VAR=value,VAR=value] ...
 */
public static class FootprintBench
{
    private const int MemMiB = 64;
    private const string Append = "tests=virtio-scan,virtio-blk,virtio-rng";
    private static readonly Regex HostMemory = new(@"host memory: peak RSS (\d+) KiB, of which guest RAM (\d+) KiB, VMM (\d+) KiB");

    private sealed record Variant(string Name, string Lguest, Dictionary<string, string> Env);
    private sealed record Sample(double VmmKiB, double PeakKiB, double ReadyMs, double FirstLineMs);

    public static int Run(string image, int runs, IEnumerable<string> specs)
    {
        var variants = specs.Select(Parse).ToList();
        string disk = Path.Combine(Path.GetTempPath(), $"lguestps-bench-footprint-{Environment.ProcessId}.img");
        using (var f = File.Create(disk)) f.SetLength(1 << 20);
        var samples = variants.ToDictionary(v => v.Name, _ => new List<Sample>());
        Console.WriteLine($"footprint: {Path.GetFileName(image)}, {MemMiB} MiB, console+block+rng, '{Append}', {runs} runs each, interleaved, medians");
        try
        {
            for (int i = 0; i < runs; i++)
                foreach (var v in variants)
                {
                    var x = Measure(v, image, disk);
                    samples[v.Name].Add(x);
                    // Each sample as it comes: a long run that is cut short still says what it saw.
                    Console.WriteLine($"  sample {v.Name}: VMM {x.VmmKiB / 1024:F2} MiB, peak {x.PeakKiB / 1024:F2} MiB, ready {x.ReadyMs:F1} ms, first line {x.FirstLineMs:F0} ms");
                }
        }
        finally { File.Delete(disk); }
        Console.WriteLine($"{"variant",-28} {"VMM beyond guest RAM",21} {"peak RSS",10} {"engine ready",13} {"first line",11} {"binary",9}");
        foreach (var v in variants)
        {
            var s = samples[v.Name];
            Console.WriteLine($"{v.Name,-28} {Runner.Median(s.Select(x => x.VmmKiB)) / 1024,17:F2} MiB {Runner.Median(s.Select(x => x.PeakKiB)) / 1024,6:F2} MiB " +
                              $"{Runner.Median(s.Select(x => x.ReadyMs)),10:F2} ms {Runner.Median(s.Select(x => x.FirstLineMs)),8:F1} ms {new FileInfo(v.Lguest).Length / 1024.0 / 1024,5:F2} MiB");
        }
        return 0;
    }

    private static Variant Parse(string spec)
    {
        var (name, rest) = (spec[..spec.IndexOf('=')], spec[(spec.IndexOf('=') + 1)..]);
        var parts = rest.Split('@', 2);
        var env = parts.Length < 2 ? new Dictionary<string, string>()
            : parts[1].Split(',').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        return new Variant(name, parts[0], env);
    }

    private static Sample Measure(Variant v, string image, string disk)
    {
        var peer = Peer.Lguest(v.Lguest, MemMiB, image, Append, "--log-format=json", "--verbose", $"--block={disk}", "--rng");
        var r = Runner.RunWithEnv(peer.Exe, peer.Args, "lguest test guest:", TimeSpan.FromMinutes(2), v.Env);
        if (r.ExitCode != 0 || !r.Output.Contains("TESTS DONE") || !r.Output.Contains("failed=0"))
            throw new InvalidOperationException($"{v.Name}: the guest did not pass (exit {r.ExitCode}):\n{r.Output}\n{r.Stderr}");
        var m = EngineEvents.All(r.Stderr)
            .Where(e => e.GetProperty(Events.EventField).GetString() == Events.Log.Name)
            .Select(e => HostMemory.Match(e.GetProperty(Events.Log.Message).GetString() ?? ""))
            .FirstOrDefault(x => x.Success) ?? throw new InvalidOperationException($"{v.Name}: no host memory line:\n{r.Stderr}");
        double D(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new Sample(D(3), D(1), EngineEvents.TimeMs(r.Stderr, Events.Ready.Name), r.FirstLineMs);
    }
}
