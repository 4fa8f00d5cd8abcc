using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LguestPS.Engine.Cli;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Tests.Cli;

/*
 * The control channel's server against real sockets, and against clients
 * that do everything wrong: garbage, a request over the limit, a request
 * cut in half, a client that connects and says nothing, one that sends and
 * leaves without reading, more clients than it serves, and (as root) a
 * client of another user. Each must get a clear refusal or simply be let
 * go, and the next well-behaved client must still be served. The operation
 * handler records what reached it: the server's job is that only well-formed
 * requests from the owner do.
 */
public sealed class ControlServerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-control").FullName;
    private readonly ConcurrentQueue<string> _done = new();
    private readonly ControlServer _server;
    private string Path => System.IO.Path.Combine(_dir, "control");

    public ControlServerTests()
    {
        _server = ControlServer.Listen(Path, ControlServer.CurrentUser,
            op => op == Control.Ops.CtrlAltDel ? "the guest does not listen to its PS/2 keyboard" : Record(op));
        _server.Start();
    }

    private string? Record(string op)
    {
        _done.Enqueue(op);
        return null;
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, true);
    }

    private Socket Connect()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified) { ReceiveTimeout = (int)Timeout.TotalMilliseconds };
        s.Connect(new UnixDomainSocketEndPoint(Path));
        return s;
    }

    private static JsonElement Ask(Socket s, byte[] request)
    {
        s.Send(request);
        return Answer(s);
    }

    private static JsonElement Answer(Socket s)
    {
        var buf = new byte[Control.MaxMessage];
        int n = s.Receive(buf);
        Assert.True(n > 0, "the server hung up instead of answering");
        return JsonDocument.Parse(buf.AsMemory(0, n)).RootElement.Clone();
    }

    private static JsonElement Ask(Socket s, string request) => Ask(s, Encoding.UTF8.GetBytes(request));

    private static void AssertRefused(JsonElement reply, string says)
    {
        Assert.False(reply.GetProperty(Control.Ok).GetBoolean(), reply.ToString());
        Assert.Contains(says, reply.GetProperty(Control.Error).GetString());
    }

    [Fact]
    public void EachOperationIsDoneAndAnsweredOkInOrderOnOneConnection()
    {
        using var s = Connect();
        foreach (string op in new[] { Control.Ops.Pause, Control.Ops.Resume, Control.Ops.PowerButton })
            Assert.True(Ask(s, $"{{\"op\":\"{op}\"}}").GetProperty(Control.Ok).GetBoolean());
        Assert.Equal([Control.Ops.Pause, Control.Ops.Resume, Control.Ops.PowerButton], _done);
        // An operation that cannot be done is answered with why, and the connection goes on.
        AssertRefused(Ask(s, "{\"op\":\"ctrl-alt-del\"}"), "does not listen");
        Assert.True(Ask(s, " {\"op\" : \"pause\"}\n").GetProperty(Control.Ok).GetBoolean()); // JSON whitespace is fine
    }

    [Theory]
    [InlineData("", "an empty request")]
    [InlineData("hello", "not JSON")]
    [InlineData("\"pause\"", "one JSON object")]
    [InlineData("[\"pause\"]", "one JSON object")]
    [InlineData("{\"op\":\"pa", "not JSON")]                          // half a request
    [InlineData("{\"op\":\"pause\"", "not JSON")]                     // no closing brace
    [InlineData("{}", "no \"op\"")]
    [InlineData("{\"op\":1}", "must be a string")]
    [InlineData("{\"op\":\"pause\",\"op\":\"resume\"}", "given twice")]
    [InlineData("{\"op\":\"pause\",\"then\":\"resume\"}", "unknown field 'then'")]
    [InlineData("{\"op\":\"pause\"}{\"op\":\"resume\"}", "not JSON")]          // two requests in one message
    [InlineData("{\"op\":\"reboot\"}", "unknown operation 'reboot'")]
    [InlineData("{\"op\":\"\\u0000\"}", "unknown operation")]
    [InlineData("{\"op\":\"\u0000\"}", "not JSON")]                       // a raw control character
    [InlineData("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "one JSON object")]
    [InlineData("{\"op\":{\"op\":{\"op\":{\"op\":{}}}}}", "must be a string")]
    public void AMalformedRequestIsRefusedWithWhatWasWrongAndDoesNothing(string request, string says)
    {
        using var s = Connect();
        AssertRefused(Ask(s, request), says);
        Assert.Empty(_done);
        Assert.True(Ask(s, "{\"op\":\"resume\"}").GetProperty(Control.Ok).GetBoolean()); // and the connection still serves
    }

    [Fact]
    public void BinaryGarbageIsRefused()
    {
        using var s = Connect();
        var junk = new byte[Control.MaxMessage];
        new Random(11).NextBytes(junk);
        AssertRefused(Ask(s, junk), "not");
        Assert.Empty(_done);
    }

    [Fact]
    public void ARequestOverTheLimitIsRefusedWholeAndOneAtTheLimitIsRead()
    {
        using var s = Connect();
        string Padded(int size) => "{\"op\":\"pause\"}" + new string(' ', size - 14);
        AssertRefused(Ask(s, Padded(Control.MaxMessage + 1)), $"{Control.MaxMessage + 1} bytes is over the limit of {Control.MaxMessage}");
        AssertRefused(Ask(s, Padded(64 << 10)), "over the limit"); // 64 KiB: still one refusal, nothing read past the buffer
        Assert.Empty(_done);
        Assert.True(Ask(s, Padded(Control.MaxMessage)).GetProperty(Control.Ok).GetBoolean());
        Assert.Equal([Control.Ops.Pause], _done);
    }

    [Fact]
    public void SilentClientsAndClientsThatLeaveHoldUpNobody()
    {
        var silent = Enumerable.Range(0, 5).Select(_ => Connect()).ToList(); // connect, say nothing
        using (var rude = Connect()) rude.Send(Encoding.UTF8.GetBytes("{\"op\":\"pause\"}")); // send and leave without reading
        using (var s = Connect())
            Assert.True(Ask(s, "{\"op\":\"resume\"}").GetProperty(Control.Ok).GetBoolean());
        foreach (var c in silent) c.Dispose();
        Assert.Contains(Control.Ops.Resume, _done);
    }

    [Fact]
    public void PastMaxClientsAConnectionIsToldAndLetGoUntilOneCloses()
    {
        var held = Enumerable.Range(0, ControlServer.MaxClients).Select(_ => Connect()).ToList();
        foreach (var c in held) Assert.True(Ask(c, "{\"op\":\"resume\"}").GetProperty(Control.Ok).GetBoolean()); // all served
        using (var extra = Connect())
        {
            AssertRefused(Answer(extra), "too many control connections");
            Assert.Equal(0, extra.Receive(new byte[16])); // and hung up on
        }
        held[0].Dispose();
        // The server notices the hang-up when it polls next; a new client is served once it has.
        var sw = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(sw.Elapsed < Timeout, "a freed slot was never given to a new client");
            using var again = Connect();
            // Still full: the server says so and hangs up, and a hang-up with our request unread can reach
            // us as a reset instead of the refusal. Either way: not served yet, try again.
            try { if (Ask(again, "{\"op\":\"resume\"}").GetProperty(Control.Ok).GetBoolean()) break; }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        }
        foreach (var c in held.Skip(1)) c.Dispose();
    }

    [Fact]
    public void TheSocketIsTheOwnersAloneAndGoesAwayWithTheServer()
    {
        var mode = File.GetUnixFileMode(Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        _server.Dispose();
        Assert.False(File.Exists(Path), "the socket's path was left behind");
    }

    [Fact]
    public void ATakenPathOrAMissingDirectoryIsAClearError()
    {
        var taken = Assert.Throws<EngineException>(() => ControlServer.Listen(Path, 0, _ => null));
        Assert.Contains("listens on this socket", taken.Message);  // a live engine's
        string file = System.IO.Path.Combine(_dir, "file");
        File.WriteAllText(file, "mine");
        var notSocket = Assert.Throws<EngineException>(() => ControlServer.Listen(file, 0, _ => null));
        Assert.Contains("is not a socket", notSocket.Message);
        Assert.Equal("mine", File.ReadAllText(file));               // and left alone
        var missing = Assert.Throws<EngineException>(() => ControlServer.Listen(System.IO.Path.Combine(_dir, "no", "such"), 0, _ => null));
        Assert.Contains("directory does not exist", missing.Message);
        var tooLong = Assert.Throws<EngineException>(() => ControlServer.Listen("/tmp/" + new string('x', 200), 0, _ => null));
        Assert.Contains("1 to 107 bytes", tooLong.Message);
    }

    /// <summary>
    /// A sandboxed engine cannot remove its socket at exit (the sandbox allows no unlink): the socket it leaves,
    /// which nothing accepts on, is taken over by the next engine at that path.
    /// </summary>
    [Fact]
    public void ASocketLeftByAnEndedEngineIsTakenOver()
    {
        string left = System.IO.Path.Combine(_dir, "left");
        using (LguestPS.Engine.Interop.UnixSocket.Listen(left, 1)) { } // closed without an unlink, as under the sandbox
        Assert.True(File.Exists(left));
        using var next = ControlServer.Listen(left, 0, _ => null);
        using var client = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(left));          // the new engine answers there
    }

    [SkippableFact]
    public void AnotherUsersProcessIsRefusedEvenWhenTheFileLetsItConnect()
    {
        Skip.If(ControlServer.CurrentUser != 0, "SKIPPED: needs root, to run a client as another user");
        Skip.If(!File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"), "SKIPPED: needs setpriv and python3");
        File.SetUnixFileMode(Path, (UnixFileMode)0x1FF); // 0777: only SO_PEERCRED stands in the way now
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1FF);
        // The refusal comes as soon as the connection is accepted; a request sent after it would find the socket closed.
        const string client = "import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1]); " +
            "sys.stdout.write(s.recv(4096).decode())";
        var psi = new ProcessStartInfo("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", client, Path])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(Timeout), "the client hung");
        Assert.True(p.ExitCode == 0, err);
        AssertRefused(JsonDocument.Parse(output).RootElement, "serves only user id 0");
        Assert.Empty(_done);
    }
}
