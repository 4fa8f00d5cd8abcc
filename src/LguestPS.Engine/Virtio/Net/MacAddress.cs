using System.Security.Cryptography;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;

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
