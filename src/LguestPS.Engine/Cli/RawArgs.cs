using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Cli;

/*
 * The runtime hands Main its argv decoded as UTF-8, each bad byte already
 * turned into U+FFFD: a kernel argument x=\xff\xfe would reach the guest as
 * x=\uFFFD\uFFFD and a file called k\xff would be "not found". The kernel
 * keeps the bytes, NUL-separated, in /proc/self/cmdline; we read them there
 * and decode each argument so that no byte is lost (ByteString).
 */
public static class RawArgs
{
    /// <summary>
    /// The arguments (argv without argv[0]) from <paramref name="cmdline"/>; the runtime's own if that cannot be
    /// read or does not agree with them on their number (a /proc that is not there, an argv rewritten in place).
    /// </summary>
    public static string[] Read(string[] runtimeArgs, string cmdline = "/proc/self/cmdline")
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(cmdline); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return runtimeArgs; }
        var args = Split(bytes);
        return args.Count == runtimeArgs.Length + 1 ? args.Skip(1).ToArray() : runtimeArgs;
    }

    /// <summary>NUL-terminated arguments, each decoded by ByteString.</summary>
    public static List<string> Split(ReadOnlySpan<byte> bytes)
    {
        var args = new List<string>();
        while (!bytes.IsEmpty)
        {
            int nul = bytes.IndexOf((byte)0);
            if (nul < 0) nul = bytes.Length; // a last argument without its NUL
            args.Add(ByteString.Decode(bytes[..nul]));
            bytes = bytes[Math.Min(nul + 1, bytes.Length)..];
        }
        return args;
    }
}
