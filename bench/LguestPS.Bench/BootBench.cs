using LguestPS.Contract;

namespace LguestPS.Bench;

/*
 * Issue 2's boot benchmark, with issue 15's honest peer: the test guest's
 * ELF under lguest, QEMU pc (SeaBIOS: hundreds of ms before the kernel) and
 * QEMU microvm (PVH, no firmware), N runs each, interleaved so load drifts
 * hit all three alike; medians and both ratios. lguest also reports when
 * its engine was ready (KVM set up, the guest about to run), from its own
 * ready event.
 */
public static class BootBench
{
    private const int MemMiB = 64;
    private const string Append = "tests=paging,bootparams";
    private const string Marker = "lguest test guest:";

    public static int Run(string lguest, string image, int runs)
    {
        var timeout = TimeSpan.FromMinutes(2);
        Peer[] peers = [Peer.Lguest(lguest, MemMiB, image, Append, "--log-format=json"), Peer.QemuPc(MemMiB, image, Append),
            Peer.QemuMicrovm(MemMiB, image, Append)];
        var results = peers.ToDictionary(p => p.Name, _ => new List<RunResult>());
        Console.WriteLine($"boot benchmark: {Path.GetFileName(image)}, {MemMiB} MiB, '{Append}', {runs} runs each, interleaved");
        for (int i = 0; i < runs; i++)
            foreach (var p in peers)
                results[p.Name].Add(Check(Runner.Run(p.Exe, p.Args, Marker, timeout), p.Name));

        double M(string who, Func<RunResult, double> f) => Runner.Median(results[who].Select(f));
        var rows = new (string Name, Func<RunResult, double> F, string Unit)[]
        {
            ("first guest line", r => r.FirstLineMs, "ms"),
            ("exit", r => r.ExitMs, "ms"),
            ("peak RSS", r => r.PeakRssKiB / 1024.0, "MiB"),
        };
        Console.WriteLine($"{"median",-18} {"lguest",12} {"qemu-pc",12} {"qemu-microvm",12} {"lguest/pc",10} {"lguest/microvm",15}");
        foreach (var (name, f, unit) in rows)
        {
            double l = M("lguest", f), pc = M("qemu-pc", f), mv = M("qemu-microvm", f);
            Console.WriteLine($"{name,-18} {l,9:F1} {unit,-2} {pc,9:F1} {unit,-2} {mv,9:F1} {unit,-2} {l / pc,10:F3} {l / mv,15:F3}");
        }
        Console.WriteLine($"{"engine ready",-18} {M("lguest", r => EngineEvents.TimeMs(r.Stderr, Events.Ready.Name)),9:F1} ms  (lguest's ready event: exec to KVM set up, guest about to run)");
        return 0;
    }

    private static RunResult Check(RunResult r, string who)
    {
        if (r.FirstLineMs < 0 || !r.Output.Contains("TESTS DONE"))
            throw new InvalidOperationException($"{who} did not run the guest to the end (exit {r.ExitCode}):\n{r.Output}\n{r.Stderr}");
        return r;
    }
}
