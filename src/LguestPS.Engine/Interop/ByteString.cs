using System.Text;

namespace LguestPS.Engine.Interop;

/*
 * To Linux a path or a kernel argument is bytes, and not always UTF-8 ones:
 * a file may be called "k\xff", a kernel may want "x=\xff\xfe". C# strings are
 * UTF-16, and decoding such bytes as UTF-8 turns each bad byte into U+FFFD,
 * after which the file is "not found" and the guest reads the wrong command
 * line. So the engine's strings carry bytes the way Python's surrogateescape
 * does (PEP 383): valid UTF-8 decodes as usual, and each byte of an invalid
 * sequence becomes the lone surrogate U+DC00 + byte (U+DC80..U+DCFF), which
 * no valid UTF-8 can produce. Encode turns them back into the same bytes, so
 * Encode(Decode(b)) == b for every b. Every place where one of these strings
 * becomes bytes again (a system call's path, the kernel command line, a line
 * on stderr) goes through Encode.
 */
public static class ByteString
{
    private const char EscapeBase = '\uDC00';

    /// <summary>The bytes as a string: UTF-8 where they are UTF-8, one escape character per byte where not.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out int used);
            if (status == System.Buffers.OperationStatus.Done)
                sb.Append(rune.ToString());
            else
                for (int i = 0; i < used; i++) sb.Append((char)(EscapeBase + bytes[i]));
            bytes = bytes[used..];
        }
        return sb.ToString();
    }

    /// <summary>The bytes a Decode'd string came from (any other lone surrogate becomes U+FFFD's UTF-8, as .NET encodes it).</summary>
    public static byte[] Encode(string s)
    {
        var bytes = new List<byte>(s.Length);
        Span<byte> buf = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (IsEscape(c)) { bytes.Add((byte)(c - EscapeBase)); continue; }
            if (!Rune.TryGetRuneAt(s, i, out var rune)) rune = Rune.ReplacementChar;
            else if (rune.IsBmp is false) i++; // the low surrogate of the pair is consumed with it
            int n = rune.EncodeToUtf8(buf);
            for (int k = 0; k < n; k++) bytes.Add(buf[k]);
        }
        return bytes.ToArray();
    }

    /// <summary>Encode, then a NUL: a path as the kernel reads it.</summary>
    public static byte[] NulTerminated(string s) => [.. Encode(s), 0];

    /// <summary>
    /// The string where only valid text may go (a JSON event, which must be UTF-8): each escaped byte shows
    /// as U+FFFD, as any UTF-8 decoder would show it.
    /// </summary>
    public static string ForText(string s)
    {
        if (!s.Any(IsEscape)) return s;
        return string.Concat(s.Select(c => IsEscape(c) ? '\uFFFD' : c));
    }

    private static bool IsEscape(char c) => c >= '\uDC80' && c <= '\uDCFF';
}
