using System.Security.Cryptography;
using LguestPS.Contract;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Virtio.Net;

/// <summary>An Ethernet address: what the guest's NIC answers to (virtio-net config space, §5.1.4).</summary>
public readonly struct MacAddress : IEquatable<MacAddress>
{
    private readonly ulong _v; // the six bytes, first one in bits 40..47

    private MacAddress(ulong v) => _v = v;

    public byte this[int i] => (byte)(_v >> (8 * (5 - i)));

    public void CopyTo(Span<byte> dest)
    {
        for (int i = 0; i < 6; i++) dest[i] = this[i];
    }

    /// <summary>The I/G bit: a group address, which no single NIC may have.</summary>
    public bool IsMulticast => (this[0] & 1) != 0;

    /// <summary>The U/L bit: an address nobody's OUI owns.</summary>
    public bool IsLocal => (this[0] & 2) != 0;

    /*
     * No MAC given: a random one with the locally administered bit set and
     * the group bit clear (IEEE 802 section 8.2.2), so it can never clash with
     * a vendor's address, and is unicast. 02:xx:xx:xx:xx:xx is the usual shape.
     */
    public static MacAddress Random()
    {
        Span<byte> b = stackalloc byte[6];
        RandomNumberGenerator.Fill(b);
        b[0] = (byte)((b[0] & 0xFC) | 0x02);
        return From(b);
    }

    public static MacAddress From(ReadOnlySpan<byte> b)
    {
        ulong v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | b[i];
        return new MacAddress(v);
    }

    /// <summary>Exactly six two-digit hex bytes separated by colons; a NIC's own address (not multicast, not zero).</summary>
    public static MacAddress Parse(string s, string context)
    {
        var parts = s.Split(':');
        Span<byte> b = stackalloc byte[6];
        if (parts.Length != 6) throw Bad(s, context, "six hex bytes separated by colons, e.g. 02:00:00:00:00:01");
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], System.Globalization.NumberStyles.AllowHexSpecifier, null, out b[i]))
                throw Bad(s, context, "six hex bytes separated by colons, e.g. 02:00:00:00:00:01");
        }
        var mac = From(b);
        if (mac.IsMulticast) throw Bad(s, context, "a multicast address (lowest bit of the first byte set); a NIC needs a unicast one, e.g. 02:...");
        if (mac._v == 0) throw Bad(s, context, "all zeros; give a real address, e.g. 02:00:00:00:00:01");
        return mac;
    }

    private static EngineException Bad(string s, string context, string why) =>
        new(ErrorId.InvalidArgument, $"{context}: '{s}' is not a usable MAC address: {why}");

    public override string ToString() => $"{this[0]:x2}:{this[1]:x2}:{this[2]:x2}:{this[3]:x2}:{this[4]:x2}:{this[5]:x2}";
    public bool Equals(MacAddress o) => _v == o._v;
    public override bool Equals(object? o) => o is MacAddress m && Equals(m);
    public override int GetHashCode() => _v.GetHashCode();
}

/// <summary>An IPv4 host address with its prefix length: the host side of a tap.</summary>
public readonly record struct Ipv4Net(uint Address, int PrefixLength)
{
    /// <summary>The netmask, host byte order.</summary>
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /*
     * The seed set only the address and let the kernel pick a classful mask.
     * We choose instead, narrowly: 169.254.0.0/16 is one link (RFC 3927), so a
     * link-local address gets /16; anything else gets /24, one small subnet
     * for the guest, and never a route swallowing a whole /8 of the host's
     * network. "<ip>/<len>" says otherwise.
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
        if (prefix < 0) prefix = (a >> 16) == 0xA9FE ? 16 : 24;
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
