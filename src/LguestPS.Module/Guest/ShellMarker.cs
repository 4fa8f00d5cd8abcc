using System;
using System.Security.Cryptography;

namespace LguestPS.Guest;

/*
 * How a conversation knows which console line is its answer. Each exchange
 * gets a fresh 128-bit nonce, and the shell prints markers that carry it:
 *
 *     :LGPS-B0:5f1c...e2:        begin: the command's output follows
 *     :LGPS-E0:5f1c...e2:0:      end, with the exit code
 *
 * We never type a marker as it is printed. We type `echo :LGPS-B$((0)):...`
 * and the shell's arithmetic turns "$((0))" into "0", so an echo of what we
 * typed (a shell or a terminal that echoes) shows "$((0))" and cannot be
 * taken for the marker. The command's own output cannot print a marker
 * either: the nonce is new, and not in the command's text. Markers are
 * looked for anywhere in a line, since the line may start with a prompt or
 * with output that did not end in a newline.
 *
 * Nothing typed here has a quote: a line the shell only partly received
 * (typed before the shell was there) leaves no open quote to swallow the
 * lines after it.
 */
/// <summary>The markers of one exchange with the guest's shell.</summary>
internal sealed class ShellMarker
{
    internal const string Prefix = ":LGPS-";

    internal const char Probe = 'P', Begin = 'B', End = 'E', Ready = 'R';

    private ShellMarker(string nonce) => Nonce = nonce;

    internal string Nonce { get; }

    internal static ShellMarker New()
    {
        var bytes = new byte[16];
        using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
        return new ShellMarker(BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant());
    }

    /// <summary>The shell command that prints the marker; <paramref name="then"/> is typed after it (e.g. "$?:").</summary>
    internal string Echo(char tag, string then = "") => $"echo {Prefix}{tag}$((0)):{Nonce}:{then}";

    /// <summary>The marker as the shell prints it.</summary>
    internal string Printed(char tag) => $"{Prefix}{tag}0:{Nonce}:";

    /// <summary>Finds the marker in a line: the text before it and after it.</summary>
    internal bool Find(string line, char tag, out string before, out string after)
    {
        string printed = Printed(tag);
        int at = line.IndexOf(printed, StringComparison.Ordinal);
        before = at > 0 ? line.Substring(0, at) : "";
        after = at >= 0 ? line.Substring(at + printed.Length) : "";
        return at >= 0;
    }
}
