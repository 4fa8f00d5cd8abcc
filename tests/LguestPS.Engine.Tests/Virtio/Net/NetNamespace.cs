using System.Diagnostics;
using LguestPS.Engine.Interop;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Virtio.Net;

/*
 * A private network namespace for one test, so that every tap, bridge,
 * address and frame a test makes stays inside it (PLATFORM.md: network tests
 * only in a namespace the test creates, 169.254.0.0/16 only).
 *
 * A network namespace belongs to a thread, not to a process: a fresh thread
 * unshares one and we keep a descriptor on it; code that must run inside
 * (creating a tap, a packet socket, starting a process) runs on another fresh
 * thread that joins it with setns. Never a pool thread: those go back to the
 * pool. What was created inside stays inside, whichever thread uses it
 * later. The namespace has no name: it dies with the last thing holding it
 * (our descriptor, a tap, a socket, a process inside), so even a test run
 * killed halfway leaves nothing behind.
 */
internal sealed class NetNamespace : IDisposable
{
    private readonly SafeFd _fd;

    public NetNamespace()
    {
        _fd = OnThread(() =>
        {
            if (unshare(CLONE_NEWNET) != 0) throw Sys.Fail("unshare(CLONE_NEWNET)");
            // No IPv6 here: its router solicitations and DAD would be frames on our taps that no test sent.
            try { File.WriteAllText("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"); } catch (IOException) { }
            return Sys.Open("/proc/thread-self/ns/net", O_RDONLY, "network namespace");
        });
    }

    /// <summary>Runs <paramref name="f"/> inside the namespace, on a thread of its own, and returns its result.</summary>
    public T Run<T>(Func<T> f) => OnThread(() =>
    {
        if (setns(_fd.Fd, CLONE_NEWNET) != 0) throw Sys.Fail("setns(CLONE_NEWNET)");
        return f();
    });

    public void Run(Action a) => Run(() => { a(); return 0; });

    private static T OnThread<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = e; }
        });
        t.Start();
        t.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result;
    }

    /// <summary>Starts a process inside the namespace (a child inherits the namespace of the thread that forks it).</summary>
    public Process Start(string file, params string[] args) => Run(() =>
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    });

    /// <summary>Runs a command inside the namespace and returns its output; a failure fails the test.</summary>
    public string Sh(string command)
    {
        using var p = Start("/bin/sh", "-c", command);
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"'{command}' failed ({p.ExitCode}): {err}");
        return output;
    }

    /// <summary>The names of the namespace's interfaces.</summary>
    public string[] Links() =>
        Sh("ip -o link show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).ToArray();

    public void Dispose() => _fd.Dispose();
}
