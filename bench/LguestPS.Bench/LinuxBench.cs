namespace LguestPS.Bench;

/*
 * Issue 6's benchmark: the minimal Linux kernel with the same devices under
 * lguest and QEMU, from process start to the virtio-blk probe line (the last
 * of the virtio drivers to report) and to exit (the no-init panic reboots it;
 * both VMMs exit on that reboot). QEMU needs the host-quirk arguments spelt
 * out and a CPU model with XSAVEERPTR (PLATFORM.md); lguest adds its own.
 */
public static class LinuxBench
{
    private const string Marker = "logical blocks";

    public static int Run(string lguest, string vmlinux, int runs)
    {
        string disk = Path.Combine(Path.GetTempPath(), "lguestps-bench-linux.img");
        using (var f = File.Create(disk)) f.SetLength(16 << 20);
        const string common = "console=ttyS0 rodata=off panic=-1 reboot=k";
        string[] l = ["--on-reboot=exit", $"--block={disk}", "--rng", "128", vmlinux, .. common.Split(' ')];
        string[] q = ["-enable-kvm", "-cpu", "qemu64,+xsaveerptr", "-m", "128", "-nodefaults", "-no-user-config",
            "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", vmlinux,
            "-append", "noxsave clearcpuid=308,151 " + common,
            "-drive", $"file={disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
            "-device", "virtio-rng-pci,disable-legacy=on", "-device", "virtio-serial-pci,disable-legacy=on"];
        var timeout = TimeSpan.FromMinutes(5);
        var res = new Dictionary<string, List<RunResult>> { ["lguest"] = new(), ["qemu"] = new() };
        Console.WriteLine($"linux boot benchmark: {vmlinux}, 128 MiB, virtio blk+rng+console, {runs} runs each, interleaved");
        for (int i = 0; i < runs; i++)
        {
            res["lguest"].Add(Check(Runner.Run(lguest, l, Marker, timeout), "lguest"));
            res["qemu"].Add(Check(Runner.Run("qemu-system-x86_64", q, Marker, timeout), "qemu"));
        }
        File.Delete(disk);
        Console.WriteLine($"{"median",-22} {"lguest",10} {"qemu",10} {"lguest/qemu",12}");
        foreach (var (name, f) in new (string, Func<RunResult, double>)[]
                 { ("virtio-blk probed (s)", r => r.FirstLineMs / 1000), ("exit (s)", r => r.ExitMs / 1000), ("peak RSS (MiB)", r => r.PeakRssKiB / 1024.0) })
        {
            double a = Runner.Median(res["lguest"].Select(f)), b = Runner.Median(res["qemu"].Select(f));
            Console.WriteLine($"{name,-22} {a,10:F2} {b,10:F2} {a / b,12:F3}");
        }
        return 0;
    }

    private static RunResult Check(RunResult r, string who) =>
        r.FirstLineMs >= 0 ? r : throw new InvalidOperationException($"{who}: no '{Marker}' line (exit {r.ExitCode}):\n{r.Output}");
}
