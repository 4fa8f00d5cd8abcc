using System.Text;

namespace LguestPS.Client;

/*
 * One console line as a terminal would show it, not as the bytes came.
 * Guests write for terminals: busybox ash asks where the cursor is
 * (ESC [ 6n) before every prompt, ls and dmesg colour their output
 * (ESC [ 1;32 m), progress meters return to the start of the line and
 * write over it, line editors move the cursor and erase. A console record's
 * Text is for -match and Select-String, so none of that may be in it.
 *
 * ECMA-48 (5th edition) gives the shapes we parse: a control sequence is
 * CSI (ESC [) then parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F
 * and one final byte 0x40-0x7E (section 5.4); a control string (OSC, DCS,
 * APC, PM, SOS: ESC ] P _ ^ X) runs to ST (ESC \) or, as xterm accepts, BEL
 * (section 5.6); any other escape sequence is ESC, intermediates, and one
 * final byte 0x30-0x7E (section 5.3). Of all of them only what moves
 * within the line or erases it changes the text: CR, BS, CUB/CUF/CHA
 * (ESC [ n D, C, G) and EL (ESC [ n K). Everything else is dropped, and so
 * are the other C0 controls but TAB. The raw bytes are not kept: a user who
 * wants the terminal stream runs the engine itself (docs/engine.md).
 *
 * The guest is hostile: a control string that never ends, or a cursor moved
 * a billion columns, costs at most the line (the splitter cuts lines at
 * MaxLineChars, and ends a sequence at a newline).
 */
/// <summary>The text of one console line after the terminal controls in it have done their work.</summary>
internal sealed class TerminalLine
{
    private enum State { Text, Escape, EscapeIntermediate, Csi, ControlString, ControlStringEscape }

    private const char Esc = '\u001b', Bel = '\a', Csi8Bit = '\u009b';

    private readonly StringBuilder _text = new();
    private readonly StringBuilder _parameters = new();
    private readonly int _maxColumn;
    private int _cursor;
    private State _state;

    internal TerminalLine(int maxColumn) => _maxColumn = maxColumn;

    /// <summary>Characters in the line so far.</summary>
    internal int Length => _text.Length;

    /// <summary>The line's text changed since this was last cleared.</summary>
    internal bool Changed { get; set; }

    internal string Text => _text.ToString();

    /// <summary>A new line: empty, the cursor at its start, no sequence under way (none spans a newline).</summary>
    internal void Clear()
    {
        _text.Clear();
        _cursor = 0;
        _state = State.Text;
        Changed = false;
    }

    internal void Feed(char c)
    {
        switch (_state)
        {
            case State.Text: Plain(c); break;
            case State.Escape:
                if (c == '[') { _parameters.Clear(); _state = State.Csi; }
                else if (c is ']' or 'P' or 'X' or '^' or '_') _state = State.ControlString;
                else if (c >= 0x20 && c <= 0x2F) _state = State.EscapeIntermediate;
                else if (c == Esc) _state = State.Escape;
                else _state = State.Text; // the final byte (0x30-0x7E), or a broken sequence: either way it is over
                break;
            case State.EscapeIntermediate:
                if (c < 0x20 || c > 0x2F) _state = State.Text;
                break;
            case State.Csi:
                if (c >= 0x30 && c <= 0x3F) { if (_parameters.Length < 32) _parameters.Append(c); }
                else if (c >= 0x40 && c <= 0x7E) { Apply(c); _state = State.Text; }
                else if (c == Esc) _state = State.Escape;
                else if (c < 0x20 || c > 0x2F) _state = State.Text; // not a sequence after all
                break;
            case State.ControlString:
                if (c == Bel) _state = State.Text;
                else if (c == Esc) _state = State.ControlStringEscape;
                break;
            case State.ControlStringEscape:
                _state = c == '\\' ? State.Text : State.ControlString;
                break;
        }
    }

    private void Plain(char c)
    {
        switch (c)
        {
            case Esc: _state = State.Escape; return;
            case Csi8Bit: _parameters.Clear(); _state = State.Csi; return;
            case '\r': _cursor = 0; return;
            case '\b': if (_cursor > 0) _cursor--; return;
            case '\t': Put(c); return;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return; // other C0 and C1 controls show nothing
        Put(c);
    }

    private void Put(char c)
    {
        if (_cursor < _text.Length) _text[_cursor] = c;
        else
        {
            if (_cursor > _text.Length) _text.Append(' ', _cursor - _text.Length); // moved right past the end: blanks
            _text.Append(c);
        }
        _cursor++;
        Changed = true;
    }

    /// <summary>ECMA-48 8.3: the sequences that move the cursor along the line or erase it; the rest change nothing here.</summary>
    private void Apply(char final)
    {
        int n = Number(_parameters.ToString());
        switch (final)
        {
            case 'D': _cursor = System.Math.Max(0, _cursor - System.Math.Max(n, 1)); break;                 // CUB
            case 'C': _cursor = System.Math.Min(_maxColumn, _cursor + System.Math.Max(n, 1)); break;       // CUF
            case 'G': _cursor = System.Math.Min(_maxColumn, System.Math.Max(n, 1) - 1); break;             // CHA
            case 'K' when n == 0 && _cursor < _text.Length: _text.Length = _cursor; Changed = true; break;  // EL: to the end
            case 'K' when n == 2: _text.Clear(); Changed = true; break;                                   // EL: the whole line
        }
    }

    /// <summary>The first parameter of a sequence (0 when absent or not a number).</summary>
    private static int Number(string parameters)
    {
        int value = 0;
        foreach (char c in parameters)
        {
            if (c < '0' || c > '9') break;
            value = System.Math.Min(value * 10 + (c - '0'), 1_000_000);
        }
        return value;
    }
}
