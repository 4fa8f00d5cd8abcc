using System.Text;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * The unix-domain SOCK_SEQPACKET socket calls of the control channel, checked
 * like the rest of Sys: a listener bound to a path only its owner can open,
 * accept, the peer's credentials, and one whole message in or out. Every
 * socket is non-blocking: one thread polls them all, and a client that stops
 * reading must never stall it.
 */
public static class UnixSocket
{
    /// <summary>The longest path sockaddr_un holds (108 bytes with its terminating NUL).</summary>
    public const int MaxPath = 107;

    /// <summary>
    /// A listening socket at <paramref name="path"/>, mode 0600 from the moment it exists (umask during bind).
    /// A socket left at the path by an engine that has ended (nothing accepts on it: a sandboxed engine cannot
    /// remove its socket at exit) is replaced; anything else there is refused.
    /// Throws EngineException (InvalidArgument) for a path that is too long or taken, SysException otherwise.
    /// </summary>
    // SAFETY: the sockaddr_un is a local, filled within its 108-byte sun_path; bind(2) reads sizeof of it.
    public static unsafe SafeFd Listen(string path, int backlog)
    {
        byte[] p = Encoding.UTF8.GetBytes(path);
        if (p.Length == 0 || p.Length > MaxPath || Array.IndexOf(p, (byte)0) >= 0)
            throw new EngineException(ErrorId.InvalidArgument,
                $"--control={path}: a unix socket path is 1 to {MaxPath} bytes long with no NUL; use a shorter path");
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) throw Sys.Fail("socket(AF_UNIX, SOCK_SEQPACKET)");
        var sock = new SafeFd(fd);
        sockaddr_un addr = default;
        addr.sun_family = (ushort)AF_UNIX;
        for (int i = 0; i < p.Length; i++) addr.sun_path[i] = p[i];
        int err = Bind(fd, &addr);
        if (err == EADDRINUSE)
        {
            if (Probe(&addr) is string taken)
            {
                sock.Dispose();
                throw new EngineException(ErrorId.InvalidArgument, $"--control={path}: {taken}");
            }
            Unlink(path); // a socket nobody accepts on: an ended engine's
            err = Bind(fd, &addr);
        }
        if (err != 0)
        {
            sock.Dispose();
            if (err == EADDRINUSE)
                throw new EngineException(ErrorId.InvalidArgument, $"--control={path}: the path exists already; remove it or choose another");
            if (err == ENOENT || err == ENOTDIR)
                throw new EngineException(ErrorId.InvalidArgument, $"--control={path}: its directory does not exist; create it first");
            if (err == EACCES || err == EPERM || err == EROFS)
                throw new EngineException(ErrorId.PermissionDenied, $"--control={path}: {Sys.StrError(err)}; choose a directory you can write");
            throw new SysException($"bind '{path}'", err);
        }
        if (listen(fd, backlog) != 0)
        {
            var e = Sys.Fail("listen");
            sock.Dispose();
            throw e;
        }
        return sock;
    }

    /// <summary>bind(2) with the socket born rw------- (bind honours the umask): 0, or its errno.</summary>
    // SAFETY: addr is the caller's filled sockaddr_un, which bind(2) only reads.
    private static unsafe int Bind(int fd, sockaddr_un* addr)
    {
        mode_t old = umask(0x7F); // 0177
        int r = bind(fd, (sockaddr*)addr, (socklen_t)sizeof(sockaddr_un));
        int err = r == 0 ? 0 : errno;
        umask(old);
        return err;
    }

    /// <summary>
    /// What is at a path that bind found taken: null for a socket nobody accepts on (connect is refused), else why
    /// the path cannot be had.
    /// </summary>
    // SAFETY: addr is the caller's filled sockaddr_un; lstat(2) writes only the local stat, connect(2) reads addr.
    private static unsafe string? Probe(sockaddr_un* addr)
    {
        stat st;
        if (lstat((byte*)addr->sun_path, &st) != 0) return null; // gone since: bind again
        if ((st.st_mode & S_IFMT) != S_IFSOCK) return "the path exists already and is not a socket; remove it or choose another";
        // Non-blocking: a listener whose backlog is full would hold a blocking connect (EAGAIN: it is alive).
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) return "the path exists already; remove it or choose another";
        using var probe = new SafeFd(fd);
        int r;
        do r = connect(fd, (sockaddr*)addr, (socklen_t)sizeof(sockaddr_un)); while (r != 0 && errno == EINTR);
        return r != 0 && errno == ECONNREFUSED ? null
            : "another program (a running engine?) listens on this socket; choose another path";
    }

    /// <summary>The next waiting connection, non-blocking; null when none waits (or it went away first).</summary>
    // SAFETY: accept4(2) is given no address buffer (null, null), so it writes no memory of ours.
    public static unsafe SafeFd? Accept(SafeFd listener)
    {
        int fd;
        do fd = accept4(listener.Fd, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK); while (fd < 0 && errno == EINTR);
        if (fd >= 0) return new SafeFd(fd);
        int err = errno;
        if (err == EAGAIN || err == ECONNABORTED || err == EPROTO) return null;
        throw new SysException("accept4", err);
    }

    /// <summary>The user id of the process at the other end, as the kernel recorded it at connect (SO_PEERCRED).</summary>
    // SAFETY: getsockopt(2) writes at most len bytes into the local ucred.
    public static unsafe uint PeerUid(SafeFd sock)
    {
        ucred cred = default;
        socklen_t len = (socklen_t)sizeof(ucred);
        if (getsockopt(sock.Fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) throw Sys.Fail("getsockopt(SO_PEERCRED)");
        return cred.uid;
    }

    /// <summary>
    /// One message into <paramref name="buf"/>: its full length (larger than the buffer if it was cut,
    /// MSG_TRUNC), 0 when the peer hung up, -1 when nothing waits.
    /// </summary>
    // SAFETY: the span is pinned for the call and recv(2) writes at most its length.
    public static unsafe long Receive(SafeFd sock, Span<byte> buf)
    {
        long n;
        fixed (byte* p = buf)
            do n = recv(sock.Fd, p, (size_t)(ulong)buf.Length, MSG_TRUNC | MSG_DONTWAIT); while (n < 0 && errno == EINTR);
        if (n >= 0) return n;
        int err = errno;
        if (err == EAGAIN) return -1;
        return 0; // ECONNRESET and the like: the peer is gone, as good as a hang-up
    }

    /// <summary>Sends one message; false if it could not go (the peer left, or does not read).</summary>
    // SAFETY: the span is pinned for the call and send(2) reads at most its length.
    public static unsafe bool Send(SafeFd sock, ReadOnlySpan<byte> msg)
    {
        long n;
        fixed (byte* p = msg)
            do n = send(sock.Fd, p, (size_t)(ulong)msg.Length, MSG_NOSIGNAL | MSG_DONTWAIT); while (n < 0 && errno == EINTR);
        return n == msg.Length;
    }

    /// <summary>Removes the socket's path; a path already gone (or out of reach after --chroot) is no error.</summary>
    // SAFETY: the path is a NUL-terminated copy pinned for the call; unlink(2) only reads it.
    public static unsafe void Unlink(string path)
    {
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p) unlink(pp);
    }
}
