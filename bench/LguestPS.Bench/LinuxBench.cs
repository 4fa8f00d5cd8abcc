using System.Diagnostics;
using System.Runtime.InteropServices;
using LguestPS.Contract;

namespace LguestPS.Bench;

/*
 * Issues 6 and 15: the minimal Linux with the busybox initramfs and the
 * same devices (disk, rng, console) under lguest and QEMU pc, from spawn to
 * userspace, as the boot timer tells it: the same /init writes the byte to
 * the same port (LguestPS.Contract.BootTimer). lguest reports it as its
 * boot-time event (with its own power-on to userspace); QEMU gets the byte
 * through an isa-debugcon at that port into a FIFO we read. Then the
 * virtio-blk probe line and the shell's prompt; `reboot -f` typed at the
 * prompt ends both (lguest --on-reboot=exit, QEMU -no-reboot).
 */
public static class LinuxBench
{
    private const string BlkProbed = "logical blocks", Shell = "lguestps: root shell on /dev/";

    public static int Run(string lguest, string vmlinux, string initramfs, int runs)
    {
        string tmp = Directory.CreateTempSubdirectory("lguestps-bench-linux").FullName;
        string disk = Path.Combine(tmp, "disk.img"), fifo = Path.Combine(tmp, "boot-timer");
        using (var f = File.Create(disk)) f.SetLength(16 << 20);
        if (Mkfifo(fifo, 0x180) != 0) throw new IOException($"mkfifo {fifo} failed");
        bool pvm = Directory.Exists("/sys/module/kvm_pvm");
        string common = $"console=ttyS0 rodata=off panic=-1 reboot=k {BootTimer.KernelArgument}";
        var l = Peer.Lguest(lguest, 128, vmlinux, common, "--log-format=json", $"--initrd={initramfs}", $"--block={disk}", "--rng");
        var q = Peer.QemuPc(128, vmlinux, (pvm ? "noxsave clearcpuid=308,151 " : "") + common,
            "-initrd", initramfs,
            "-drive", $"file={disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
            "-device", "virtio-rng-pci,disable-legacy=on", "-device", "virtio-serial-pci,disable-legacy=on",
            "-chardev", $"file,id=bt,path={fifo}", "-device", $"isa-debugcon,iobase=0x{BootTimer.Port:x},chardev=bt");
        if (pvm) q = q with { Args = [.. q.Args.Select(a => a == "host,-arch-capabilities" ? "qemu64,+xsaveerptr" : a)] };
        var timeout = TimeSpan.FromMinutes(5);
        var answer = (Shell, "# ", "reboot -f\n");
        var rows = new Dictionary<string, List<(double Userspace, double PowerOn, double Blk, double Prompt, double Rss)>> { ["lguest"] = new(), ["qemu-pc"] = new() };
        Console.WriteLine($"linux boot benchmark: {Path.GetFileName(vmlinux)} + busybox initramfs, 128 MiB, virtio blk+rng+console, {runs} runs each, interleaved");
        try
        {
            for (int i = 0; i < runs; i++)
            {
                var ls = Check(ConsoleSession.Run(l, [BlkProbed, Shell], answer, timeout), "lguest");
                var ev = EngineEvents.First(ls.Stderr, Events.BootTime.Name);
                double arrived = ls.StderrLines.First(x => x.Line.Contains($"\"{Events.BootTime.Name}\"")).Ms;
                rows["lguest"].Add((arrived, ev.GetProperty(Events.BootTime.FromPowerOn).GetDouble() * 1000,
                    ls.Marks[BlkProbed], ls.Marks[Shell], ls.PeakRssKiB / 1024.0));

                double byteAt = double.NaN;
                var qs = Check(ConsoleSession.Run(q, [BlkProbed, Shell], answer, timeout, clock =>
                {
                    using var r = File.OpenRead(fifo); // opens once QEMU opens its end
                    if (r.ReadByte() == BootTimer.Signal) byteAt = clock.Elapsed.TotalMilliseconds;
                    r.CopyTo(Stream.Null);
                }), "qemu-pc");
                if (double.IsNaN(byteAt)) throw new InvalidOperationException($"qemu-pc: no boot-timer byte:\n{qs.Output}");
                rows["qemu-pc"].Add((byteAt, double.NaN, qs.Marks[BlkProbed], qs.Marks[Shell], qs.PeakRssKiB / 1024.0));
            }
        }
        finally { Directory.Delete(tmp, true); }

        Console.WriteLine($"{"median",-34} {"lguest",10} {"qemu-pc",10} {"lguest/qemu",12}");
        foreach (var (name, f) in new (string, Func<(double Userspace, double PowerOn, double Blk, double Prompt, double Rss), double>)[]
                 {
                     ("spawn to userspace, boot timer (s)", r => r.Userspace / 1000), ("virtio-blk probed (s)", r => r.Blk / 1000),
                     ("shell on the console (s)", r => r.Prompt / 1000), ("peak RSS (MiB)", r => r.Rss),
                 })
        {
            double a = Runner.Median(rows["lguest"].Select(f)), b = Runner.Median(rows["qemu-pc"].Select(f));
            Console.WriteLine($"{name,-34} {a,10:F3} {b,10:F3} {a / b,12:F3}");
        }
        Console.WriteLine($"{"lguest power-on to userspace (s)",-34} {Runner.Median(rows["lguest"].Select(r => r.PowerOn)) / 1000,10:F3}   (the engine's boot-time event, fromPowerOn)");
        Console.WriteLine("(spawn to userspace: when lguest's boot-time event, or QEMU's debugcon byte in our FIFO, reached this process)");
        return 0;
    }

    private static ConsoleSession Check(ConsoleSession s, string who) =>
        s.Marks.ContainsKey(Shell) && s.Marks.ContainsKey(BlkProbed) ? s
            : throw new InvalidOperationException($"{who}: no '{BlkProbed}' or '{Shell}' (exit {s.ExitCode}):\n{s.Output}\n{s.Stderr}");

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, uint mode);
}
