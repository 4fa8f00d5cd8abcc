using LguestPS.Contract;

namespace LguestPS;

/// <summary>A device attached to an LguestVm by one of the Add-Lguest* cmdlets.</summary>
public abstract class LguestDevice
{
    /// <summary>The kind of device: Block, TapNetwork or Rng.</summary>
    public abstract string Kind { get; }

    /// <summary>Puts the device on the engine's command line (one --block, --tunnet or --rng).</summary>
    internal abstract void AddTo(EngineCommandLine commandLine);

    /// <summary>A short description for tables: the file, the address or the bridge.</summary>
    public abstract string Description { get; }

    public override string ToString() => $"{Kind}: {Description}";
}

/// <summary>A virtio block device backed by a file (engine option --block).</summary>
public sealed class LguestBlockDevice : LguestDevice
{
    internal LguestBlockDevice(string path, bool readOnly, long sizeBytes)
    {
        Path = path;
        ReadOnly = readOnly;
        SizeBytes = sizeBytes;
    }

    public override string Kind => "Block";

    /// <summary>The full path of the backing file.</summary>
    public string Path { get; }

    /// <summary>True when the guest may read but not write the disk.</summary>
    public bool ReadOnly { get; }

    /// <summary>The size of the backing file when the device was added, in bytes.</summary>
    public long SizeBytes { get; }

    internal override void AddTo(EngineCommandLine commandLine) => commandLine.Blocks.Add(new BlockOption(Path, ReadOnly));

    public override string Description => Path + (ReadOnly ? " (read-only)" : "");
}

/// <summary>A virtio network device on a new tap interface (engine option --tunnet).</summary>
public sealed class LguestTapNetwork : LguestDevice
{
    /// <summary>The prefix length the host side gets when none is given: one /24 per tap (docs/engine.md, "Networking").</summary>
    public const int DefaultPrefixLength = 24;

    internal LguestTapNetwork(string? ipAddress, string? bridge, string? macAddress, int prefixLength = DefaultPrefixLength)
    {
        IPAddress = ipAddress;
        Bridge = bridge;
        MacAddress = macAddress;
        PrefixLength = ipAddress == null ? null : prefixLength;
    }

    public override string Kind => "TapNetwork";

    /// <summary>The IPv4 address given to the host side of the tap, when not bridged.</summary>
    public string? IPAddress { get; }

    /*
     * Each tap is a link of its own, so its host side gets a subnet of its
     * own: with the whole of 169.254.0.0/16 on every tap, the host routed all
     * of it to the first tap and a second VM in 169.254.2.0 was unreachable.
     */
    /// <summary>The length of the host side's subnet prefix (24 unless -PrefixLength says otherwise), when not bridged.</summary>
    public int? PrefixLength { get; }

    /// <summary>The bridge the tap joins, when bridged.</summary>
    public string? Bridge { get; }

    /// <summary>The guest's MAC address, or null for one the engine chooses.</summary>
    public string? MacAddress { get; }

    internal override void AddTo(EngineCommandLine commandLine) =>
        commandLine.Tunnets.Add(new TunnetOption(IPAddress == null ? null : $"{IPAddress}/{PrefixLength}", Bridge, MacAddress));

    public override string Description =>
        (Bridge != null ? "bridge " + Bridge : $"host {IPAddress}/{PrefixLength}") + (MacAddress != null ? ", MAC " + MacAddress : "");
}

/// <summary>A virtio entropy device fed from the host kernel (engine option --rng).</summary>
public sealed class LguestRng : LguestDevice
{
    internal LguestRng() { }

    public override string Kind => "Rng";

    internal override void AddTo(EngineCommandLine commandLine) => commandLine.Rng = true;

    public override string Description => "host entropy";
}
