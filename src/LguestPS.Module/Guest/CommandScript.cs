using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LguestPS.Guest;

/*
 * What we type to run a command in the guest's shell. Whatever the command,
 * it runs as
 *
 *     echo <begin>; (eval '<command>') </dev/null 2>&1; echo <end>$?:
 *
 * in a subshell, so `exit 3` or `cd /tmp` ends with the command and not with
 * the console's shell; with stdin closed, so a command that reads cannot eat
 * the lines typed after it; with stderr in its output, as a terminal shows
 * both. eval keeps the command's syntax its own: an unbalanced ')' or a
 * `# comment` in it cannot reach our markers.
 *
 * A short one-line command of printable ASCII is typed as it is, in single
 * quotes. Anything else (several lines, a tab, which an interactive shell
 * takes for completion, non-ASCII text, a quote-heavy script) is typed as
 * base64 in a shell variable, a few hundred characters a line, and decoded
 * in the guest: no character of it can mean anything to the shell, the
 * terminal's line editing or its line discipline. Line length matters:
 * busybox ash's line editor keeps 1023 bytes of a line and silently drops
 * the rest, and a terminal in canonical mode keeps 4095.
 */
/// <summary>The lines to type to run a command between markers.</summary>
internal static class CommandScript
{
    /// <summary>The longest line we type: well under busybox's 1023-byte line editor (and a tty's 4095).</summary>
    internal const int MaxLine = 900;

    private const string Variable = "lgps_c";

    /// <summary>
    /// The lines that run <paramref name="command"/> between the begin and end markers.
    /// With <paramref name="stdinFromConsole"/> the command reads what is typed next (a file copy does).
    /// </summary>
    internal static IReadOnlyList<string> Lines(string command, ShellMarker marker, bool stdinFromConsole = false)
    {
        string redirect = stdinFromConsole ? "2>&1" : "</dev/null 2>&1";
        string end = marker.Echo(ShellMarker.End, "$?:");
        string direct = $"{marker.Echo(ShellMarker.Begin)}; (eval {Quote(command)}) {redirect}; {end}";
        if (IsPlain(command) && direct.Length <= MaxLine) return new[] { direct };

        string encoded = Convert.ToBase64String(new UTF8Encoding(false).GetBytes(command));
        var lines = new List<string>();
        const int first = MaxLine - 16; // "lgps_c=${lgps_c}" fits beside every piece
        for (int at = 0; at < encoded.Length; at += first)
        {
            string piece = encoded.Substring(at, Math.Min(first, encoded.Length - at));
            lines.Add(at == 0 ? $"{Variable}={piece}" : $"{Variable}=${{{Variable}}}{piece}");
        }
        if (lines.Count == 0) lines.Add($"{Variable}=");
        lines.Add($"{marker.Echo(ShellMarker.Begin)}; (eval \"$(echo ${Variable} | base64 -d)\") {redirect}; {end}; unset {Variable}");
        return lines;
    }

    /// <summary>One line of printable ASCII: nothing a shell's line editor or a terminal would act on.</summary>
    private static bool IsPlain(string command) => command.All(c => c >= ' ' && c <= '~');

    /// <summary>A value for a single-quoted shell word: 'it'\''s'.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
