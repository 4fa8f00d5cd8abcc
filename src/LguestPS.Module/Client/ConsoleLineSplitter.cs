using System;
using System.Collections.Generic;
using System.Text;

namespace LguestPS.Client;

/*
 * Turns the guest's console bytes into LguestConsoleLine records.
 *
 * Bytes arrive in whatever pieces the pipe hands us: a UTF-8 character or a
 * "\r\n" may be split between two reads, so decoding keeps its state across
 * reads. A line ends at '\n'; what is on it is what a terminal would show
 * (TerminalLine: a '\r' before the '\n' of a serial console's "\r\n"
 * changes nothing, colours and cursor queries vanish).
 *
 * A guest that prints "login: " and waits would leave a pattern wait hanging
 * forever if we waited for the newline, so the caller calls Idle() when no
 * byte came for a short while: the unfinished line is then delivered as a
 * partial preview. When the line finally ends, it is delivered again whole
 * (same LineNumber, IsPartial false), so a pattern never has to span two
 * records and the complete lines alone are the exact transcript.
 *
 * Not thread-safe: ConsoleReader calls it under its own lock.
 */
internal sealed class ConsoleLineSplitter
{
    /// <summary>A guest that never ends its line gets it cut here, so memory stays bounded.</summary>
    internal const int MaxLineChars = 16 * 1024;

    private readonly string _vmName;
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly TerminalLine _line = new(MaxLineChars);
    private char[] _chars = new char[4096];
    private long _lineNumber = 1;
    private TimeSpan _lineStart;
    private bool _lineStarted;
    private string? _previewed; // the text of this line's last preview: a repeat would only be noise

    internal ConsoleLineSplitter(string vmName) => _vmName = vmName;

    /// <summary>Consumes bytes; appends every line they complete to <paramref name="output"/>.</summary>
    internal void Feed(byte[] buffer, int count, TimeSpan now, List<LguestConsoleLine> output)
    {
        int needed = _decoder.GetCharCount(buffer, 0, count, flush: false);
        if (needed > _chars.Length) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int n = _decoder.GetChars(buffer, 0, count, _chars, 0, flush: false);
        for (int i = 0; i < n; i++)
        {
            char c = _chars[i];
            if (!_lineStarted) (_lineStart, _lineStarted) = (now, true);
            if (c == '\n')
            {
                output.Add(Take(partial: false));
                continue;
            }
            _line.Feed(c);
            if (_line.Length >= MaxLineChars) output.Add(Take(partial: true));
        }
    }

    /// <summary>No byte came for a while: a preview of the unfinished line, if its text changed since the last one.</summary>
    internal LguestConsoleLine? Idle()
    {
        if (_line.Length == 0 || !_line.Changed) return null;
        _line.Changed = false;
        string text = _line.Text;
        if (text == _previewed) return null; // rewritten to what it was (a spinner, backspace and retype)
        _previewed = text;
        return new LguestConsoleLine(_vmName, _lineNumber, _lineStart, text, isPartial: true);
    }

    /// <summary>The console closed: the unfinished line, if anything of it was not delivered yet.</summary>
    internal LguestConsoleLine? Finish() => Idle();

    private LguestConsoleLine Take(bool partial)
    {
        var line = new LguestConsoleLine(_vmName, _lineNumber, _lineStart, _line.Text, partial);
        _line.Clear();
        _previewed = null;
        _lineStarted = false;
        _lineNumber++;
        return line;
    }
}
