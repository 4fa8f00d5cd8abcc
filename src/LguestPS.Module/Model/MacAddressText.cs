using System;
using System.Globalization;
using System.Linq;

namespace LguestPS;

/*
 * A MAC address as people type it. Hyper-V writes 00-15-5D-01-02-03 and
 * takes 00155D010203 as well; Linux and the engine write 00:15:5d:01:02:03.
 * All three are one address, so all three are accepted and the module keeps
 * the engine's spelling: lower case, colons.
 *
 * IEEE 802, clause 8.2: the least significant bit of the first octet marks
 * a group (multicast) address, and FF-FF-FF-FF-FF-FF is the broadcast
 * address. A network card answers to one individual address, so neither can
 * be a guest's; the bit beside it marks a locally administered address,
 * which is what a made-up MAC should be (02-xx-xx-xx-xx-xx).
 */
/// <summary>Reads and checks the MAC addresses given to Add-LguestTapNetwork.</summary>
internal static class MacAddressText
{
    /// <summary>What to type, for messages: one example of each accepted form.</summary>
    internal const string Forms = "six two-digit hex numbers, as 02-15-5D-01-02-03, 02:15:5d:01:02:03 or 02155D010203";

    /// <summary>The address in the engine's spelling (aa:bb:cc:dd:ee:ff), or null if the text is none of the accepted forms.</summary>
    internal static string? Normalize(string text)
    {
        text = text.Trim();
        string digits;
        if (text.Length == 12)
            digits = text;
        else if (text.Length == 17 && (text[2] == ':' || text[2] == '-'))
        {
            char separator = text[2];
            for (int i = 2; i < 17; i += 3)
                if (text[i] != separator) return null; // one separator throughout: 00-15:5d... is a typo, not an address
            digits = string.Concat(Enumerable.Range(0, 6).Select(i => text.Substring(i * 3, 2)));
        }
        else
            return null;
        if (!digits.All(Uri.IsHexDigit)) return null;
        return string.Join(":", Enumerable.Range(0, 6).Select(i => digits.Substring(i * 2, 2))).ToLowerInvariant();
    }

    /// <summary>Why a normalized address cannot be a guest's network card, or null when it can.</summary>
    internal static string? Unusable(string mac)
    {
        byte first = byte.Parse(mac.Substring(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (mac == "ff:ff:ff:ff:ff:ff")
            return "it is the broadcast address";
        if ((first & 1) != 0)
            return $"it is a multicast address (the first byte, {mac.Substring(0, 2).ToUpperInvariant()}, is odd)";
        if (mac == "00:00:00:00:00:00")
            return "all zeros is no address";
        return null;
    }

    /// <summary>The sentence that says what to type instead.</summary>
    internal static string Advice =>
        $"Give the guest's MAC address as {Forms}; its first byte must be even (a unicast address), and 02 marks one you made up.";
}
