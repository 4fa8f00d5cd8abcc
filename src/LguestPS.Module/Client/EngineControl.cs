using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LguestPS.Contract;

namespace LguestPS.Client;

/*
 * The module's end of an engine's control channel (LguestPS.Contract.Control,
 * docs/engine.md): one request, one reply, on a connection of its own. The
 * socket lives in a directory of the run's own, mode 0700, so the path itself
 * is private before the engine's owner check is ever reached.
 *
 * .NET Standard 2.0 has Socket but not UnixDomainSocketEndPoint; every runtime
 * PowerShell 7 runs on has it, so it is found by name, as ArgumentList is in
 * EngineLauncher.
 */
internal sealed class EngineControl
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory;

    private EngineControl(string directory) => _directory = directory;

    /// <summary>The socket path the engine is told to listen on (--control).</summary>
    internal string SocketPath => Path.Combine(_directory, "control");

    /// <summary>A fresh private directory for one run's socket, under $XDG_RUNTIME_DIR or /tmp.</summary>
    internal static EngineControl Create()
    {
        string root = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Directory.Exists(xdg) ? xdg : Path.GetTempPath();
        string dir = Path.Combine(root, "lguestps-" + Guid.NewGuid().ToString("N"));
        if (!Posix.MakePrivateDirectory(dir))
            throw LguestErrors.Fail("EngineStartError", $"Cannot create the VM's control directory '{dir}': check that {root} is writable.");
        return new EngineControl(dir);
    }

    /// <summary>Removes the directory (and a socket the engine could not remove itself, after --chroot).</summary>
    internal void Delete()
    {
        try { Directory.Delete(_directory, true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Asks the engine to do <paramref name="op"/>: null when done, else the engine's reason. Throws IOException if the engine cannot be reached.</summary>
    internal string? Send(string op)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)ReplyTimeout.TotalMilliseconds,
            SendTimeout = (int)ReplyTimeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(EndPoint(SocketPath));
            socket.Send(Encoding.UTF8.GetBytes($"{{\"{Control.Op}\":\"{op}\"}}"));
            var buf = new byte[Control.MaxMessage];
            int n = socket.Receive(buf);
            if (n <= 0) throw new IOException("the engine closed the control connection without a reply");
            return ReadReply(Encoding.UTF8.GetString(buf, 0, n));
        }
        catch (SocketException e)
        {
            throw new IOException($"the engine's control channel did not answer ({e.Message})", e);
        }
    }

    /// <summary>The reply's error, or null for {"ok":true}.</summary>
    internal static string? ReadReply(string json)
    {
        var reply = JsonLine.TryParseObject(json);
        if (reply == null) return $"the engine's reply is not JSON: {json}";
        if (reply.TryGetValue(Control.Ok, out var ok) && ok is true) return null;
        return reply.TryGetValue(Control.Error, out var error) && error is string s ? s : $"the engine refused: {json}";
    }

    private static EndPoint EndPoint(string path)
    {
        var type = Type.GetType("System.Net.Sockets.UnixDomainSocketEndPoint, System.Net.Sockets")
            ?? throw new PlatformNotSupportedException("LguestPS needs PowerShell 7 (.NET with UnixDomainSocketEndPoint).");
        return (EndPoint)Activator.CreateInstance(type, path)!;
    }
}
