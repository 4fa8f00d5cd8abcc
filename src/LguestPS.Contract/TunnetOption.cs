using System;

namespace LguestPS.Contract;

/*
 * One --tunnet option: a tap whose host side gets an IPv4 address
 * (<ip>[/<prefix>][:<mac>]) or joins a bridge (bridge:<name>[:<mac>]), and
 * maybe the guest's MAC. A MAC has colons of its own, so the value splits at
 * its first colon (after "bridge:"), and neither an address nor a bridge name
 * may hold one. Only the form is checked here; the engine checks that the
 * address, prefix, MAC and bridge are usable when it makes the tap.
 */
public sealed class TunnetOption : IEquatable<TunnetOption>
{
    private const string BridgePrefix = "bridge:";

    public TunnetOption(string? address, string? bridge, string? mac)
    {
        string? head = address ?? bridge;
        if ((address == null) == (bridge == null) || head!.Length == 0)
            throw new ArgumentException("a tap network has an IPv4 address or a bridge, not both and not neither");
        if (head.IndexOf(':') >= 0)
            throw new ArgumentException($"'{head}' cannot be written in --tunnet: it holds a ':'");
        Address = address;
        Bridge = bridge;
        Mac = mac;
    }

    /// <summary>The host side's IPv4 address, maybe with a /prefix; null when bridged.</summary>
    public string? Address { get; }

    /// <summary>The bridge the tap joins; null when it has an address.</summary>
    public string? Bridge { get; }

    /// <summary>The guest's MAC address, or null for one the engine picks.</summary>
    public string? Mac { get; }

    /// <summary>Reads the value of one --tunnet option.</summary>
    public static TunnetOption Parse(string value)
    {
        bool bridge = value.StartsWith(BridgePrefix, StringComparison.Ordinal);
        if (bridge) value = value.Substring(BridgePrefix.Length);
        int colon = value.IndexOf(':');
        string head = colon < 0 ? value : value.Substring(0, colon);
        string? mac = colon < 0 ? null : value.Substring(colon + 1);
        if (head.Length == 0)
            throw new CommandLineException(ErrorId.UsageError,
                bridge ? "--tunnet=bridge: needs a bridge name" : "--tunnet needs an IPv4 address or bridge:<name>");
        return bridge ? new TunnetOption(null, head, mac) : new TunnetOption(head, null, mac);
    }

    /// <summary>The option's value, which <see cref="Parse"/> reads back as this.</summary>
    public string Format() => (Bridge != null ? BridgePrefix + Bridge : Address) + (Mac != null ? ":" + Mac : "");

    /// <summary>The whole argument, e.g. <c>--tunnet=bridge:br0</c>.</summary>
    public override string ToString() => "--" + OptionNames.Tunnet + "=" + Format();

    public bool Equals(TunnetOption? other) =>
        other != null && other.Address == Address && other.Bridge == Bridge && other.Mac == Mac;
    public override bool Equals(object? obj) => Equals(obj as TunnetOption);
    public override int GetHashCode() => (Address ?? "").GetHashCode() ^ (Bridge ?? "").GetHashCode() * 31 ^ (Mac ?? "").GetHashCode() * 17;
}
