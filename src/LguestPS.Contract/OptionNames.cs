namespace LguestPS.Contract;

/// <summary>The engine's long options, without their leading "--" (docs/engine.md, the options table).</summary>
public static class OptionNames
{
    public const string Verbose = "verbose", Tunnet = "tunnet", Block = "block", Rng = "rng", Initrd = "initrd",
        Username = "username", Chroot = "chroot", Cpus = "cpus", OnReboot = "on-reboot", LogFormat = "log-format",
        NoHostQuirks = "no-host-quirks", ParentPid = "parent-pid", Sandbox = "sandbox", NoSandbox = "no-sandbox", Control = "control";

    /// <summary>The seed's short spelling of --verbose.</summary>
    public const string VerboseShort = "-v";

    /// <summary>Every long option, for usage checks and the docs test.</summary>
    public static readonly string[] All =
        { Verbose, Tunnet, Block, Rng, Initrd, Username, Chroot, Cpus, OnReboot, LogFormat, NoHostQuirks, ParentPid, Sandbox, NoSandbox, Control };

    /// <summary>The options that may be given more than once (one device each); any other given twice is a usage error.</summary>
    public static readonly string[] Repeatable = { Tunnet, Block };
}
