using System.Text;

namespace LguestPS.Engine.Vmm;

/*
 * The line a user wants to see when a guest panics is the one Linux prints
 * first, "Kernel panic - not syncing: VFS: Unable to mount root fs ...",
 * and by the time pvpanic tells us, the console has already carried it: the
 * UART takes it byte by byte from the panicking CPU, and hvc0's console
 * write waits for us to consume the buffer. So each console source keeps
 * its current line (up to MaxLine bytes) and remembers the last whole line
 * that says "Kernel panic". The guest writes these bytes, so what we keep is
 * bounded, and made printable before anyone sees it.
 */
public sealed class PanicLine
{
    public const int MaxLine = 240;
    private static ReadOnlySpan<byte> Marker => "Kernel panic"u8;
    private readonly byte[] _line = new byte[MaxLine];
    private int _len;
    private readonly object _lock = new();

    /// <summary>The last complete line that reported a kernel panic, or null.</summary>
    public string? Last { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            while (!data.IsEmpty)
            {
                int nl = data.IndexOf((byte)'\n');
                var part = nl < 0 ? data : data[..nl];
                int room = MaxLine - _len;
                part[..Math.Min(room, part.Length)].CopyTo(_line.AsSpan(_len));
                _len += Math.Min(room, part.Length);
                if (nl < 0) return;
                if (_line.AsSpan(0, _len).IndexOf(Marker) >= 0) Last = Printable(_line.AsSpan(0, _len));
                _len = 0;
                data = data[(nl + 1)..];
            }
        }
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        var s = new StringBuilder(line.Length);
        foreach (char c in Encoding.UTF8.GetString(line))
            s.Append(c is '\r' ? ' ' : char.IsControl(c) ? '?' : c);
        return s.ToString().Trim();
    }
}
