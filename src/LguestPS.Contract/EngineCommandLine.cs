using System;
using System.Collections.Generic;

namespace LguestPS.Contract;

/*
 * The engine's command line, both ways: the engine parses its argv into one
 * of these, and the module fills one in and asks for the argv. It is the
 * seed's command line, and parsed the way getopt_long would parse these
 * options: "--name=value" or "--name value", "-v" for --verbose, "--" to end
 * the options. Options stop at the first argument that is not one (the
 * memory size); everything after the kernel belongs to the kernel, even if
 * it starts with a dash. Only --block and --tunnet may repeat (a device
 * each); any other option given twice is refused rather than silently taking
 * the last. Only the form is checked here: whether the files exist and the
 * addresses are usable is the engine's business at start.
 */
public sealed class EngineCommandLine
{
    public const string Usage =
        "usage: lguest [--verbose] [--tunnet=(<ip>[:<mac>]|bridge:<bridge>[:<mac>])]... [--block=<file>[,ro]]...\n" +
        "              [--rng] [--initrd=<file>] [--username=<user>] [--chroot=<dir>] [--cpus=<n>]\n" +
        "              [--on-reboot=restart|exit] [--log-format=text|json] [--no-host-quirks] [--parent-pid=<pid>]\n" +
        "              [--no-sandbox] [--control=<socket>]\n" +
        "              <mem-in-mb> <kernel> [kernel args...]";

    private const string RestartWord = "restart", ExitWord = "exit", TextWord = "text", JsonWord = "json";

    public bool Verbose { get; set; }
    public List<TunnetOption> Tunnets { get; } = new List<TunnetOption>();
    public List<BlockOption> Blocks { get; } = new List<BlockOption>();
    public bool Rng { get; set; }
    public string? Initrd { get; set; }
    public string? Username { get; set; }
    public string? Chroot { get; set; }
    public int Cpus { get; set; } = 1;
    public RebootPolicy OnReboot { get; set; } = RebootPolicy.Restart;
    public LogFormat LogFormat { get; set; } = LogFormat.Text;
    public bool HostQuirks { get; set; } = true;

    /// <summary>
    /// --parent-pid: the process that started the engine (docs/engine.md, "Running under another program"):
    /// the engine stops when it dies, and leaves its process group. Null when not given.
    /// </summary>
    public int? ParentPid { get; set; }

    /// <summary>
    /// A seccomp allowlist once the VM is set up (docs/engine.md, "Sandbox"): on unless --no-sandbox.
    /// --sandbox, from when it was opt-in, is still accepted and says the default.
    /// </summary>
    public bool Sandbox { get; set; } = true;

    /// <summary>Where the engine listens for control requests (Control); null for no control channel.</summary>
    public string? Control { get; set; }
    public ulong MemoryMiB { get; set; }
    public string Kernel { get; set; } = "";

    /// <summary>What follows the kernel: the engine joins it with single spaces into the kernel's command line.</summary>
    public List<string> KernelArgs { get; } = new List<string>();

    /// <summary>The kernel command line: the arguments after the kernel, joined by single spaces, as the seed did.</summary>
    public string KernelCommandLine => string.Join(" ", KernelArgs);

    /// <summary>
    /// The log format asked for, read before a full parse, so that a command line that fails to parse is
    /// still answered in the format its caller reads.
    /// </summary>
    public static LogFormat PeekLogFormat(IReadOnlyList<string> args)
    {
        string option = "--" + OptionNames.LogFormat;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--") break;
            if (args[i] == option + "=" + JsonWord || (args[i] == option && i + 1 < args.Count && args[i + 1] == JsonWord))
                return LogFormat.Json;
        }
        return LogFormat.Text;
    }

    /// <summary>Reads an argv. Throws <see cref="CommandLineException"/> (UsageError, MemoryTooSmall, MemoryTooLarge) for one the engine refuses.</summary>
    public static EngineCommandLine Parse(IReadOnlyList<string> args)
    {
        var o = new EngineCommandLine();
        var seen = new HashSet<string>();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a != OptionNames.VerboseShort && !a.StartsWith("--", StringComparison.Ordinal)) break;
            string name = a == OptionNames.VerboseShort ? OptionNames.Verbose : a.Substring(2), value = "";
            bool hasValue = false;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name.Substring(eq + 1); name = name.Substring(0, eq); hasValue = true; }
            if (Array.IndexOf(OptionNames.All, name) >= 0 && Array.IndexOf(OptionNames.Repeatable, name) < 0 && !seen.Add(name))
                throw Bad($"option --{name} is given twice: give it once (only --{OptionNames.Block} and --{OptionNames.Tunnet} repeat)");
            string Value()
            {
                if (hasValue) return value;
                if (i + 1 >= args.Count) throw Bad($"option --{name} needs a value");
                hasValue = true;
                return value = args[++i];
            }
            void NoValue()
            {
                if (hasValue) throw Bad($"option --{name} takes no value");
            }
            switch (name)
            {
                case OptionNames.Verbose: NoValue(); o.Verbose = true; break;
                case OptionNames.Rng: NoValue(); o.Rng = true; break;
                case OptionNames.NoHostQuirks: NoValue(); o.HostQuirks = false; break;
                case OptionNames.Sandbox: NoValue(); break;
                case OptionNames.NoSandbox: NoValue(); o.Sandbox = false; break;
                case OptionNames.Tunnet: o.Tunnets.Add(TunnetOption.Parse(Value())); break;
                case OptionNames.Block: o.Blocks.Add(BlockOption.Parse(Value())); break;
                case OptionNames.Initrd: o.Initrd = NonEmpty(name, Value()); break;
                case OptionNames.Username: o.Username = NonEmpty(name, Value()); break;
                case OptionNames.Chroot: o.Chroot = NonEmpty(name, Value()); break;
                case OptionNames.ParentPid:
                    if (!int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parent)
                        || parent < 1)
                        throw Bad($"--parent-pid={value}: give the process id of the program that starts lguest");
                    o.ParentPid = parent;
                    break;
                case OptionNames.Control: o.Control = NonEmpty(name, Value()); break;
                case OptionNames.Cpus:
                    if (!int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int cpus)
                        || cpus < 1 || cpus > Limits.MaxCpus)
                        throw Bad($"--cpus={value}: give a number of vCPUs from 1 to {Limits.MaxCpus}");
                    o.Cpus = cpus;
                    break;
                case OptionNames.OnReboot:
                    o.OnReboot = Value() switch
                    {
                        RestartWord => RebootPolicy.Restart,
                        ExitWord => RebootPolicy.Exit,
                        _ => throw Bad($"--on-reboot={value}: say '{RestartWord}' or '{ExitWord}'"),
                    };
                    break;
                case OptionNames.LogFormat:
                    o.LogFormat = Value() switch
                    {
                        TextWord => LogFormat.Text,
                        JsonWord => LogFormat.Json,
                        _ => throw Bad($"--log-format={value}: say '{TextWord}' or '{JsonWord}'"),
                    };
                    break;
                default:
                    throw Bad($"unknown option '{a}'");
            }
        }
        if (seen.Contains(OptionNames.Sandbox) && seen.Contains(OptionNames.NoSandbox))
            throw Bad($"--{OptionNames.Sandbox} and --{OptionNames.NoSandbox} contradict each other: the sandbox is on unless --{OptionNames.NoSandbox} is given");
        if (args.Count - i < 2)
            throw Bad(args.Count - i == 0 ? "missing <mem-in-mb> and <kernel>" : "missing <kernel>");
        if (!ulong.TryParse(args[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong mem))
            throw Bad($"'{args[i]}' is not a memory size: give the guest's RAM in MiB, e.g. 64");
        if (mem < Limits.MinMemoryMiB)
            throw new CommandLineException(ErrorId.MemoryTooSmall, $"{mem} MiB of guest RAM is too little: give the guest's RAM in MiB, e.g. 64");
        if (mem > Limits.MaxMemoryMiB)
            throw new CommandLineException(ErrorId.MemoryTooLarge, $"{mem} MiB of guest RAM is more than lguest supports ({Limits.MaxMemoryMiB} MiB)");
        o.MemoryMiB = mem;
        o.Kernel = args[i + 1];
        for (int k = i + 2; k < args.Count; k++) o.KernelArgs.Add(args[k]);
        return o;
    }

    /// <summary>
    /// The argv that <see cref="Parse"/> reads back as this: options that differ from their defaults, then
    /// the memory size, the kernel and the kernel arguments, each passed verbatim (no quoting to get wrong).
    /// </summary>
    public List<string> ToArguments()
    {
        var args = new List<string>();
        void Add(string name, string? value = null) => args.Add("--" + name + (value == null ? "" : "=" + value));
        if (ParentPid is int parent) Add(OptionNames.ParentPid, parent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!Sandbox) Add(OptionNames.NoSandbox);
        if (LogFormat != LogFormat.Text) Add(OptionNames.LogFormat, JsonWord);
        if (Verbose) Add(OptionNames.Verbose);
        if (OnReboot != RebootPolicy.Restart) Add(OptionNames.OnReboot, ExitWord);
        if (Cpus != 1) Add(OptionNames.Cpus, Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Initrd != null) Add(OptionNames.Initrd, Initrd);
        foreach (var b in Blocks) Add(OptionNames.Block, b.Format());
        if (Rng) Add(OptionNames.Rng);
        foreach (var t in Tunnets) Add(OptionNames.Tunnet, t.Format());
        if (Username != null) Add(OptionNames.Username, Username);
        if (Chroot != null) Add(OptionNames.Chroot, Chroot);
        if (!HostQuirks) Add(OptionNames.NoHostQuirks);
        if (Control != null) Add(OptionNames.Control, Control);
        args.Add(MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture));
        args.Add(Kernel);
        args.AddRange(KernelArgs);
        return args;
    }

    private static CommandLineException Bad(string message) => new CommandLineException(ErrorId.UsageError, message);

    private static string NonEmpty(string name, string v) =>
        v.Length > 0 ? v : throw Bad($"option --{name} needs a non-empty value");
}
