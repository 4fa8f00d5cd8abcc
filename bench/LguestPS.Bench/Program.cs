using LguestPS.Bench;

/*
 * Benchmarks: lguest against QEMU, same image, same run, with ratios.
 *
 *   boot  <lguest> <test-guest-image> [runs]   time to the guest's first serial line, to exit, and peak RSS
 *   linux <lguest> <vmlinux> [runs]            minimal Linux: time to the virtio-blk probe line and to exit
 *   blk   <lguest> <test-guest-image> [runs]   disk throughput: sequential MB/s and 4 KiB random-read IOPS
 *   module <lguest> <test-guest-image> [runs]  Start-LguestVm against the engine alone (no QEMU: the module is ours)
 */
if (args.Length < 3 || args[0] is not ("boot" or "linux" or "blk" or "module"))
{
    Console.Error.WriteLine("usage: LguestPS.Bench boot|linux|blk|module <lguest-binary> <image> [runs]");
    return 2;
}
if (args[0] == "module") return ModuleBench.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3]) : 5);
if (args[0] == "blk") return BlockBench.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3]) : 5, 1024, 20000);
if (args[0] == "linux") return LinuxBench.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3]) : 3);
string lguest = args[1], image = args[2];
int runs = args.Length > 3 ? int.Parse(args[3]) : 10;
const int MemMiB = 64;
string append = "tests=paging,bootparams,mptable";
const string Marker = "lguest test guest:";
var timeout = TimeSpan.FromMinutes(2);

string[] lguestArgs = ["--on-reboot=exit", $"{MemMiB}", image, append];
string[] qemuArgs = ["-enable-kvm", "-cpu", "host,-arch-capabilities", "-m", $"{MemMiB}", "-nodefaults", "-no-user-config",
    "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", image, "-append", append];

var results = new Dictionary<string, List<RunResult>> { ["lguest"] = new(), ["qemu"] = new() };
Console.WriteLine($"boot benchmark: {Path.GetFileName(image)}, {MemMiB} MiB, {runs} runs each, interleaved");
for (int i = 0; i < runs; i++)
{
    results["lguest"].Add(Check(Runner.Run(lguest, lguestArgs, Marker, timeout), "lguest"));
    results["qemu"].Add(Check(Runner.Run("qemu-system-x86_64", qemuArgs, Marker, timeout), "qemu"));
}

static RunResult Check(RunResult r, string who)
{
    if (r.FirstLineMs < 0 || !r.Output.Contains("TESTS DONE"))
        throw new InvalidOperationException($"{who} did not run the guest to the end (exit {r.ExitCode}):\n{r.Output}");
    return r;
}

double M(string who, Func<RunResult, double> f) => Runner.Median(results[who].Select(f));
var rows = new (string Name, Func<RunResult, double> F, string Unit)[]
{
    ("first guest line", r => r.FirstLineMs, "ms"),
    ("exit", r => r.ExitMs, "ms"),
    ("peak RSS", r => r.PeakRssKiB / 1024.0, "MiB"),
};
Console.WriteLine($"{"median",-18} {"lguest",12} {"qemu",12} {"lguest/qemu",12}");
foreach (var (name, f, unit) in rows)
{
    double l = M("lguest", f), q = M("qemu", f);
    Console.WriteLine($"{name,-18} {l,9:F1} {unit,-2} {q,9:F1} {unit,-2} {l / q,12:F3}");
}
return 0;
