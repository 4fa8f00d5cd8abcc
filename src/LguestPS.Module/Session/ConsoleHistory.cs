using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using System.Threading;

namespace LguestPS.Session;

/*
 * The console lines of one run, kept so that Wait-LguestVm -Pattern sees
 * what the guest printed before anyone started waiting, and read with a
 * cursor, as expect(1) does: a match consumes the console up to its end, so
 * the next wait looks only at what came after. That is what makes
 * "wait for login:, type root, wait for #" work line after line.
 *
 * Lines are kept whole: a partial preview is replaced by its later versions,
 * and the cursor is a (line, column) pair, so a match inside a prompt is not
 * found again when the rest of that line arrives.
 */
internal sealed class ConsoleHistory
{
    internal const int Capacity = 10_000;

    private readonly List<LguestConsoleLine> _lines = new();
    private long _cursorLine = 1;
    private int _cursorColumn;
    private bool _closed;
    private int _waiters;

    internal void Add(LguestConsoleLine line)
    {
        lock (_lines)
        {
            int last = _lines.Count - 1;
            if (last >= 0 && _lines[last].LineNumber == line.LineNumber) _lines[last] = line;
            else _lines.Add(line);
            if (_lines.Count > Capacity) _lines.RemoveRange(0, _lines.Count - Capacity);
            Monitor.PulseAll(_lines);
        }
    }

    /// <summary>The run ended: no more lines will come.</summary>
    internal void Close()
    {
        lock (_lines)
        {
            _closed = true;
            Monitor.PulseAll(_lines);
        }
    }

    internal int Count
    {
        get { lock (_lines) return _lines.Count; }
    }

    /// <summary>How many pattern waits are blocked for a line right now.</summary>
    internal int Waiters
    {
        get { lock (_lines) return _waiters; }
    }

    /// <summary>
    /// Waits for a line that matches after the cursor. Returns the line, or
    /// null on timeout or cancellation; <paramref name="ended"/> says the run
    /// ended without a match.
    /// </summary>
    internal LguestConsoleLine? WaitForMatch(Regex pattern, TimeSpan timeout, CancellationToken cancel, out bool ended)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        lock (_lines)
        {
            long checkedBelow = _cursorLine; // complete lines below this were already tried in this wait
            while (true)
            {
                var found = Scan(pattern, ref checkedBelow);
                if (found != null) { ended = false; return found; }
                if (_closed) { ended = true; return null; }
                var left = deadline == DateTime.MaxValue ? TimeSpan.FromMilliseconds(100) : deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || cancel.IsCancellationRequested) { ended = false; return null; }
                _waiters++;
                try { Monitor.Wait(_lines, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100)); }
                finally { _waiters--; }
            }
        }
    }

    private LguestConsoleLine? Scan(Regex pattern, ref long checkedBelow)
    {
        foreach (var line in _lines)
        {
            if (line.LineNumber < checkedBelow) continue;
            int start = line.LineNumber == _cursorLine ? _cursorColumn : 0;
            // Match(text, start) keeps '^' at the real start of the line, so an anchored pattern cannot match a line's rest.
            var m = start <= line.Text.Length ? pattern.Match(line.Text, start) : Match.Empty;
            if (!m.Success)
            {
                if (!line.IsPartial && line.LineNumber >= checkedBelow) checkedBelow = line.LineNumber + 1;
                continue;
            }
            _cursorLine = line.LineNumber;
            _cursorColumn = m.Index + Math.Max(m.Length, 1);
            return line;
        }
        return null;
    }
}
