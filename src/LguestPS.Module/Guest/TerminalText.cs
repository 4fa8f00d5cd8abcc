using System.Text;

namespace LguestPS.Guest;

/*
 * A console line is what a terminal would have been sent: carriage returns,
 * a bell, colour (ESC [ 1;32 m), cursor queries (busybox ash sends ESC [ 6n
 * before each prompt), window titles (ESC ] 0;title BEL). A command's output
 * is for scripts, so those are taken out of it; the console records
 * (Receive-Job) keep them as the guest wrote them.
 *
 * ECMA-48: a control sequence is ESC [, parameter bytes 0x30-0x3F,
 * intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E; an operating
 * system command is ESC ] up to BEL or ESC \; other escapes are ESC and one
 * byte.
 */
/// <summary>Takes terminal control out of a console line: what is left is the text.</summary>
internal static class TerminalText
{
    private const char Esc = '\u001b';

    internal static string Strip(string line)
    {
        if (line.IndexOf(Esc) < 0 && line.IndexOf('\r') < 0 && line.IndexOf('\a') < 0) return line;
        var text = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\r' || c == '\a') continue;
            if (c != Esc) { text.Append(c); continue; }
            if (i + 1 >= line.Length) break;
            char kind = line[++i];
            if (kind == '[')
            {
                while (i + 1 < line.Length && line[i + 1] >= 0x20 && line[i + 1] <= 0x3F) i++;
                if (i + 1 < line.Length && line[i + 1] >= 0x40 && line[i + 1] <= 0x7E) i++;
            }
            else if (kind == ']')
            {
                int end = i + 1;
                while (end < line.Length && line[end] != '\a' && !(line[end] == Esc && end + 1 < line.Length && line[end + 1] == '\\')) end++;
                i = end < line.Length && line[end] == Esc ? end + 1 : end; // at the BEL, or the '\' of ESC \
            }
        }
        return text.ToString();
    }
}
