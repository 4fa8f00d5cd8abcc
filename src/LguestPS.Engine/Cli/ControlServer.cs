using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Cli;

/*L:690
 * The control channel (docs/engine.md, "Control channel"): how the module
 * presses the power button, types Ctrl+Alt+Del, pauses and resumes a VM it
 * started. It is a unix socket rather than the engine's stdin, which already
 * carries the guest's keyboard byte for byte, and SOCK_SEQPACKET rather than
 * a stream, so the kernel keeps each request whole: there is no framing to
 * get wrong and a half-sent request cannot exist.
 *
 * Whoever can connect is a local process, and not necessarily a friendly
 * one. Three gates: the socket file is mode 0600, so others cannot even
 * connect; the kernel's record of the peer's uid (SO_PEERCRED) must be the
 * engine's own user's, whatever the file's mode became; and each message is
 * read into a fixed buffer, a longer one being refused whole. One thread
 * serves every client through poll(2) on non-blocking sockets, so a client
 * that connects and says nothing, or never reads its replies, holds up
 * nobody; at most MaxClients are served at once, and a client past that is
 * told so and let go.
 */
public sealed class ControlServer : IDisposable
{
    public const int MaxClients = 16;
    private readonly SafeFd _listener;
    private readonly string _path;
    private readonly uint _owner;
    private readonly Func<string, string?> _handle;
    private readonly EventFd _wake = new(nonBlocking: true);
    private readonly List<SafeFd> _clients = new();
    private readonly byte[] _buf = new byte[Control.MaxMessage + 1];
    private Thread? _thread;
    private volatile bool _stopping;

    /// <param name="handle">Does an operation; returns null when done, else why it was not.</param>
    private ControlServer(SafeFd listener, string path, uint owner, Func<string, string?> handle)
    {
        _listener = listener;
        _path = path;
        _owner = owner;
        _handle = handle;
    }

    /// <summary>Listens at <paramref name="path"/> for the user <paramref name="owner"/> only. Throws EngineException.</summary>
    public static ControlServer Listen(string path, uint owner, Func<string, string?> handle) =>
        new(UnixSocket.Listen(path, MaxClients), path, owner, handle);

    /// <summary>The real user id of this process: the owner a control channel serves.</summary>
    public static uint CurrentUser => getuid();

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "control" };
        _thread.Start();
    }

    // SAFETY: the pollfd array is a local of fds.Length entries and poll(2) writes only their revents.
    private unsafe void Loop()
    {
        var fds = stackalloc pollfd[2 + MaxClients];
        try
        {
            while (!_stopping)
            {
                int n = 2 + _clients.Count;
                fds[0] = new pollfd { fd = _wake.Fd, events = POLLIN };
                fds[1] = new pollfd { fd = _listener.Fd, events = POLLIN };
                for (int i = 0; i < _clients.Count; i++) fds[2 + i] = new pollfd { fd = _clients[i].Fd, events = POLLIN };
                int r = poll(fds, (ulong_t)(ulong)n, -1);
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) throw Sys.Fail("poll");
                if (fds[0].revents != 0 || _stopping) break;
                // Clients first, from the back, so removing one leaves the indexes of the rest alone.
                for (int i = _clients.Count - 1; i >= 0; i--)
                    if (fds[2 + i].revents != 0 && !Serve(_clients[i], fds[2 + i].revents))
                    {
                        _clients[i].Dispose();
                        _clients.RemoveAt(i);
                    }
                if ((fds[1].revents & POLLIN) != 0) AcceptAll();
            }
        }
        catch (Exception e)
        {
            Log.Warning($"control channel: {e.Message}; it is closed, the VM runs on");
        }
    }

    private void AcceptAll()
    {
        while (UnixSocket.Accept(_listener) is { } client)
        {
            string? refusal = UnixSocket.PeerUid(client) != _owner
                ? $"permission denied: this VM's control channel serves only user id {_owner}"
                : _clients.Count >= MaxClients ? $"too many control connections (at most {MaxClients}); close one and retry" : null;
            if (refusal is null)
            {
                _clients.Add(client);
                continue;
            }
            Log.Verbose($"control channel: refused a connection: {refusal}");
            UnixSocket.Send(client, ControlRequest.Reply(refusal));
            client.Dispose();
        }
    }

    /// <summary>Answers the client's waiting request; false when the client is gone and its socket should close.</summary>
    private bool Serve(SafeFd client, short revents)
    {
        long n = UnixSocket.Receive(client, _buf);
        if (n < 0) return true; // a spurious wake-up
        // A message of no bytes reads like a hang-up; only POLLHUP tells the two apart.
        if (n == 0 && (revents & POLLHUP) != 0) return false;
        string? error;
        if (n == 0)
            error = $"an empty request: send one JSON object, like {{\"{Control.Op}\": \"{Control.Ops.Pause}\"}}";
        else if (n > Control.MaxMessage)
            error = $"a request of {n} bytes is over the limit of {Control.MaxMessage}";
        else
        {
            try
            {
                string op = ControlRequest.Parse(_buf.AsSpan(0, (int)n));
                error = _handle(op);
            }
            catch (FormatException e) { error = e.Message; }
        }
        if (error is not null) Log.Verbose($"control channel: refused a request: {error}");
        return UnixSocket.Send(client, ControlRequest.Reply(error));
    }

    /// <summary>Stops serving, closes every connection and removes the socket's path.</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Signal();
        _thread?.Join();
        foreach (var c in _clients) c.Dispose();
        _clients.Clear();
        _listener.Dispose();
        _wake.Dispose();
        UnixSocket.Unlink(_path);
    }
}
