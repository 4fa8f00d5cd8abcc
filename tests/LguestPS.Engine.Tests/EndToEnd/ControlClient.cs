using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>A client of an engine's control channel (docs/engine.md, "Control channel"), as the module is one.</summary>
public sealed class ControlClient : IDisposable
{
    private readonly Socket _s;

    public ControlClient(string path)
    {
        _s = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified) { ReceiveTimeout = 60_000 };
        _s.Connect(new UnixDomainSocketEndPoint(path));
    }

    /// <summary>Sends one request; returns the reply's error, or null for ok.</summary>
    public string? Send(string request)
    {
        _s.Send(Encoding.UTF8.GetBytes(request));
        var buf = new byte[Control.MaxMessage];
        int n = _s.Receive(buf);
        var reply = JsonDocument.Parse(buf.AsMemory(0, n)).RootElement;
        return reply.GetProperty(Control.Ok).GetBoolean() ? null : reply.GetProperty(Control.Error).GetString();
    }

    /// <summary>Does an operation, failing the test if the engine refuses it.</summary>
    public void Do(string op)
    {
        string? error = Send($"{{\"{Control.Op}\":\"{op}\"}}");
        Assert.True(error is null, $"{op}: {error}");
    }

    public void Dispose() => _s.Dispose();
}
