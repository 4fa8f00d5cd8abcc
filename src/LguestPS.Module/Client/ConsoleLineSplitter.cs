using System;
using System.Collections.Generic;
using System.Text;

namespace LguestPS.Client;

/*
 * Turns the guest's console bytes into LguestConsoleLine records.
 *
 * Bytes arrive in whatever pieces the pipe hands us: a UTF-8 character or a
 * "\r\n" may be split between two reads, so decoding keeps its state across
 * reads. A line ends at '\n' (a '\r' before it is dropped: serial consoles
 * say "\r\n").
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
    private readonly StringBuilder _line = new();
    private char[] _chars = new char[4096];
    private long _lineNumber = 1;
    private TimeSpan _lineStart;
    private int _previewedLength;

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
            if (_line.Length == 0) _lineStart = now;
            if (c == '\n')
            {
                output.Add(Take(partial: false));
                continue;
            }
            _line.Append(c);
            if (_line.Length >= MaxLineChars) output.Add(Take(partial: true));
        }
    }

    /// <summary>No byte came for a while: a preview of the unfinished line, if it grew since the last one.</summary>
    internal LguestConsoleLine? Idle()
    {
        string text = Trimmed();
        if (text.Length == 0 || _line.Length <= _previewedLength) return null;
        _previewedLength = _line.Length;
        return new LguestConsoleLine(_vmName, _lineNumber, _lineStart, text, isPartial: true);
    }

    /// <summary>The console closed: the unfinished line, if anything of it was not delivered yet.</summary>
    internal LguestConsoleLine? Finish() => Idle();

    private LguestConsoleLine Take(bool partial)
    {
        var line = new LguestConsoleLine(_vmName, _lineNumber, _lineStart, Trimmed(), partial);
        _line.Clear();
        _previewedLength = 0;
        _lineNumber++;
        return line;
    }

    private string Trimmed()
    {
        int len = _line.Length;
        if (len > 0 && _line[len - 1] == '\r') len--;
        return _line.ToString(0, len);
    }
}
