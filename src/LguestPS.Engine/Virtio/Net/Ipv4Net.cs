using System.Security.Cryptography;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Virtio.Net;

/// <summary>An IPv4 host address with its prefix length: the host side of a tap.</summary>
public readonly record struct Ipv4Net(uint Address, int PrefixLength)
{
    /// <summary>The prefix length of an address given without one.</summary>
    public const int DefaultPrefixLength = 24;

    /// <summary>The netmask, host byte order.</summary>
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /*
     * The seed set only the address and let the kernel pick a classful mask.
     * We choose instead, narrowly: /24, one small subnet per tap, never a
     * route swallowing a whole /8 of the host's network. Link-local
     * addresses too: RFC 3927 makes 169.254.0.0/16 one link, but each tap
     * is a link of its own, and with the /16 on every tap the host sent all
     * of 169.254 down the first one, so a second VM at 169.254.2.1 could not
     * be reached. "<ip>/<len>" says otherwise.
     */
    public static Ipv4Net Parse(string s, string context)
    {
        string addr = s;
        int prefix = -1;
        int slash = s.IndexOf('/');
        if (slash >= 0)
        {
            addr = s[..slash];
            string p = s[(slash + 1)..];
            if (p.Length is 0 or > 2 || !p.All(char.IsAsciiDigit) || (prefix = int.Parse(p)) is < 1 or > 30)
                throw Bad(s, context, "the prefix length after / must be 1 to 30");
        }
        var parts = addr.Split('.');
        if (parts.Length != 4) throw Bad(s, context, "four decimal numbers 0-255 separated by dots, e.g. 169.254.1.1");
        uint a = 0;
        foreach (var part in parts)
        {
            // Strict dotted quad: no hex, no octal, no leading zeros, no sign, no blanks.
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0') || int.Parse(part) > 255)
                throw Bad(s, context, "four decimal numbers 0-255 separated by dots, e.g. 169.254.1.1");
            a = (a << 8) | uint.Parse(part);
        }
        byte first = (byte)(a >> 24);
        if (a == 0 || first == 0 || first == 127 || first >= 224)
            throw Bad(s, context, "not a unicast host address (0.x, 127.x, multicast and 240.x and up are not)");
        if (prefix < 0) prefix = DefaultPrefixLength;
        var net = new Ipv4Net(a, prefix);
        uint host = a & ~net.Mask;
        if (host == 0 || host == ~net.Mask)
            throw Bad(s, context, $"that is the network or broadcast address of its /{prefix}; pick a host address");
        return net;
    }

    private static EngineException Bad(string s, string context, string why) =>
        new(ErrorId.InvalidArgument, $"{context}: '{s}' is not a usable IPv4 address: {why}");

    public override string ToString() => $"{Address >> 24}.{(Address >> 16) & 255}.{(Address >> 8) & 255}.{Address & 255}/{PrefixLength}";
}
