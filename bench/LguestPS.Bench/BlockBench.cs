namespace LguestPS.Bench;

/*
 * Issue 3's benchmark: the test guest's blkbench mode (large requests, few
 * guest instructions per request, so the VMM's cost shows rather than the
 * emulator's) against one file-backed disk, under lguest and under QEMU's
 * virtio-blk-pci, same image, same file, same run. The host times the
 * interval between the guest's "BENCH <mode> start" and "... done" lines.
 */
public static class BlockBench
{
    public static int Run(string lguest, string image, int runs, int regionMiB, int randIos)
    {
        string disk = Path.Combine(Path.GetTempPath(), "lguestps-bench-blk.img");
        WriteDisk(disk, regionMiB);
        var modes = new (string Mode, string Extra)[]
        {
            ("seqread", $"guest.benchmb={regionMiB}"), ("seqwrite", $"guest.benchmb={regionMiB}"),
            ("randread", $"guest.benchmb={regionMiB} guest.benchios={randIos}"),
        };
        Console.WriteLine($"block benchmark: {Path.GetFileName(image)}, disk {regionMiB} MiB file, {runs} runs each, interleaved");
        Console.WriteLine($"{"median",-26} {"lguest",12} {"qemu",12} {"lguest/qemu",12}");
        foreach (var (mode, extra) in modes)
        {
            string append = $"tests=blkbench guest.bench={mode} {extra}";
            string[] l = ["--on-reboot=exit", $"--block={disk}", "256", image, .. append.Split(' ')];
            string[] q = ["-enable-kvm", "-cpu", "host,-arch-capabilities", "-m", "256", "-nodefaults", "-no-user-config",
                "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", image, "-append", append,
                "-drive", $"file={disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,disable-legacy=on"];
            var times = new Dictionary<string, List<(double Seconds, long Bytes, long Requests)>> { ["lguest"] = new(), ["qemu"] = new() };
            for (int i = 0; i < runs; i++)
            {
                times["lguest"].Add(Measure(lguest, l, mode));
                times["qemu"].Add(Measure("qemu-system-x86_64", q, mode));
            }
            bool iops = mode == "randread";
            double Rate(string who) => Runner.Median(times[who].Select(t => iops ? t.Requests / t.Seconds : t.Bytes / t.Seconds / 1e6));
            double a = Rate("lguest"), b = Rate("qemu");
            Console.WriteLine($"{mode + (iops ? " (4 KiB IOPS)" : " (MB/s)"),-26} {a,12:F0} {b,12:F0} {a / b,12:F2}");
        }
        File.Delete(disk);
        return 0;
    }

    private static void WriteDisk(string path, int mib)
    {
        using var f = File.Create(path);
        var buf = new byte[1 << 20];
        new Random(1).NextBytes(buf);
        for (int i = 0; i < mib; i++) f.Write(buf); // real data, not a sparse hole: both VMMs read the same page cache
    }

    private static (double, long, long) Measure(string exe, string[] args, string mode)
    {
        var r = Runner.Run(exe, args, $"BENCH {mode} start", TimeSpan.FromMinutes(5), null, $"BENCH {mode} done");
        var done = r.Output.Split('\n').FirstOrDefault(x => x.Contains($"BENCH {mode} done"));
        if (r.FirstLineMs < 0 || done is null || !r.Marks.TryGetValue($"BENCH {mode} done", out double end))
            throw new InvalidOperationException($"{exe}: blkbench {mode} did not finish (exit {r.ExitCode}):\n{r.Output}");
        long Field(string name) => long.Parse(done.Split(' ').First(w => w.StartsWith(name + "=")).Split('=')[1].Trim());
        return ((end - r.FirstLineMs) / 1000, Field("bytes"), Field("requests"));
    }
}
