using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Cli;

public enum RebootPolicy { Restart, Exit }
public enum LogFormat { Text, Json }

/// <summary>One --block option.</summary>
public sealed record BlockOption(string Path, bool ReadOnly);

/// <summary>One --tunnet option: an IPv4 address for the host side, or a bridge to join, and maybe a MAC.</summary>
public sealed record TunnetOption(string? Address, string? Bridge, string? Mac);

/// <summary>Everything the command line said, parsed and checked for form (not for existence: that is the loaders' job).</summary>
public sealed class Options
{
    public bool Verbose { get; set; }
    public List<TunnetOption> Tunnets { get; } = new();
    public List<BlockOption> Blocks { get; } = new();
    public bool Rng { get; set; }
    public string? Initrd { get; set; }
    public string? Username { get; set; }
    public string? Chroot { get; set; }
    public int Cpus { get; set; } = 1;
    public RebootPolicy OnReboot { get; set; } = RebootPolicy.Restart;
    public LogFormat LogFormat { get; set; } = LogFormat.Text;
    public bool HostQuirks { get; set; } = true;
    public ulong MemoryMiB { get; set; }
    public string Kernel { get; set; } = "";
    public List<string> KernelArgs { get; } = new();

    /// <summary>The kernel command line: the arguments after the kernel, joined by single spaces, as the seed did.</summary>
    public string CommandLine => string.Join(' ', KernelArgs);

    public const string Usage =
        "usage: lguest [--verbose] [--tunnet=(<ip>[:<mac>]|bridge:<bridge>[:<mac>])]... [--block=<file>[,ro]]...\n" +
        "              [--rng] [--initrd=<file>] [--username=<user>] [--chroot=<dir>] [--cpus=<n>]\n" +
        "              [--on-reboot=restart|exit] [--log-format=text|json] [--no-host-quirks]\n" +
        "              <mem-in-mb> <kernel> [kernel args...]";

    public const ulong MaxMemoryMiB = 1UL << 22; // 4 TiB: beyond what KVM lets one VM map on x86 hosts today

    /*L:010
     * The seed's command line, parsed the way getopt_long would for these
     * options: long options with "=value" or a separate value, "-v" for
     * --verbose, and "--" to end them. Options stop at the first argument that
     * is not one (the memory size); everything after the kernel belongs to
     * the kernel, even if it starts with a dash.
     */
    public static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a == "-v") { o.Verbose = true; continue; }
            if (!a.StartsWith("--", StringComparison.Ordinal)) break;
            string name = a[2..], value = "";
            bool hasValue = false;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; hasValue = true; }
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
                case "verbose": NoValue(); o.Verbose = true; break;
                case "rng": NoValue(); o.Rng = true; break;
                case "no-host-quirks": NoValue(); o.HostQuirks = false; break;
                case "tunnet": o.Tunnets.Add(ParseTunnet(Value())); break;
                case "block": o.Blocks.Add(ParseBlock(Value())); break;
                case "initrd": o.Initrd = NonEmpty(name, Value()); break;
                case "username": o.Username = NonEmpty(name, Value()); break;
                case "chroot": o.Chroot = NonEmpty(name, Value()); break;
                case "cpus":
                    if (!int.TryParse(Value(), out int cpus) || cpus < 1 || cpus > 254)
                        throw Bad($"--cpus={value}: give a number of vCPUs from 1 to 254");
                    o.Cpus = cpus;
                    break;
                case "on-reboot":
                    o.OnReboot = Value() switch
                    {
                        "restart" => RebootPolicy.Restart,
                        "exit" => RebootPolicy.Exit,
                        _ => throw Bad($"--on-reboot={value}: say 'restart' or 'exit'"),
                    };
                    break;
                case "log-format":
                    o.LogFormat = Value() switch
                    {
                        "text" => LogFormat.Text,
                        "json" => LogFormat.Json,
                        _ => throw Bad($"--log-format={value}: say 'text' or 'json'"),
                    };
                    break;
                default:
                    throw Bad($"unknown option '{a}'");
            }
        }
        if (args.Count - i < 2)
            throw Bad(args.Count - i == 0 ? "missing <mem-in-mb> and <kernel>" : "missing <kernel>");
        if (!ulong.TryParse(args[i], out ulong mem) || mem == 0)
            throw Bad($"'{args[i]}' is not a memory size: give the guest's RAM in MiB, e.g. 64");
        if (mem > MaxMemoryMiB)
            throw new EngineException(ErrorId.MemoryTooLarge, $"{mem} MiB of guest RAM is more than lguest supports ({MaxMemoryMiB} MiB)");
        o.MemoryMiB = mem;
        o.Kernel = args[i + 1];
        for (int k = i + 2; k < args.Count; k++) o.KernelArgs.Add(args[k]);
        return o;
    }

    private static EngineException Bad(string message) => new(ErrorId.UsageError, message);

    private static string NonEmpty(string name, string v) =>
        v.Length > 0 ? v : throw Bad($"option --{name} needs a non-empty value");

    private static BlockOption ParseBlock(string v)
    {
        bool ro = false;
        if (v.EndsWith(",ro", StringComparison.Ordinal)) { ro = true; v = v[..^3]; }
        else if (v.EndsWith(",rw", StringComparison.Ordinal)) v = v[..^3];
        if (v.Length == 0) throw Bad("--block needs a file name, e.g. --block=disk.img or --block=disk.img,ro");
        return new BlockOption(v, ro);
    }

    private const string BridgePrefix = "bridge:";

    private static TunnetOption ParseTunnet(string v)
    {
        // <ip>[:<mac>] or bridge:<bridge>[:<mac>]; a MAC has colons of its own, so split at the first one only.
        bool bridge = v.StartsWith(BridgePrefix, StringComparison.Ordinal);
        if (bridge) v = v[BridgePrefix.Length..];
        int colon = v.IndexOf(':');
        string head = colon < 0 ? v : v[..colon];
        string? mac = colon < 0 ? null : v[(colon + 1)..];
        if (head.Length == 0)
            throw Bad(bridge ? "--tunnet=bridge: needs a bridge name" : "--tunnet needs an IPv4 address or bridge:<name>");
        return bridge ? new TunnetOption(null, head, mac) : new TunnetOption(head, null, mac);
    }
}
