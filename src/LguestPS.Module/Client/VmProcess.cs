using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace LguestPS.Client;

/// <summary>What a running engine tells its owner. Called on the engine client's own threads, in order per kind.</summary>
internal interface IEngineListener
{
    void OnConsoleLine(LguestConsoleLine line);
    void OnEvent(EngineEvent e);
    /// <summary>The last call: every console line and event came before it.</summary>
    void OnExit(EngineExit exit);
}

/*
 * The engine client: one `lguest` child process and its three pipes
 * (docs/engine.md). stdout is the guest's console, cut into lines; stderr is
 * one JSON event per line; stdin is the guest's keyboard. The cmdlets and the
 * job never see a Process, only this.
 *
 * The rule that matters most: no engine outlives its owner. Stop() is SIGTERM
 * (the engine flushes its disks and says goodbye), then SIGKILL after a grace
 * period; a runspace that closes stops its VMs; and if the PowerShell process
 * itself exits, whatever still runs is stopped on the way out.
 */
internal sealed class VmProcess
{
    internal static readonly TimeSpan DefaultPartialLineIdle = TimeSpan.FromMilliseconds(200);
    /// <summary>How long an engine has to exit after SIGTERM before SIGKILL (settable for tests).</summary>
    internal static TimeSpan DefaultStopGrace { get; set; } = TimeSpan.FromSeconds(10);

    private static readonly HashSet<VmProcess> Live = new();

    static VmProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllOnExit();
    }

    private readonly Process _process;
    private readonly IEngineListener _listener;
    private readonly ConsoleLineSplitter _splitter;
    private readonly Stopwatch _clock = new();
    private readonly TimeSpan _idle;
    private readonly object _consoleLock = new(), _stdinLock = new();
    private readonly ManualResetEventSlim _exited = new(false);
    private readonly Queue<string> _stderrTail = new();
    private Timer? _idleTimer, _killTimer;
    private EngineEvent? _exitEvent, _errorEvent;
    private volatile bool _stopRequested, _reaped;

    private VmProcess(string fileName, IEnumerable<string> arguments, string vmName, IEngineListener listener, TimeSpan idle)
    {
        _listener = listener;
        _splitter = new ConsoleLineSplitter(vmName);
        _idle = idle;
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        AddArguments(psi, arguments);
        _process = new Process { StartInfo = psi };
    }

    /// <summary>The engine's process id.</summary>
    internal int ProcessId { get; private set; }

    /// <summary>How the run ended; null while it runs.</summary>
    internal EngineExit? Exit { get; private set; }

    /// <summary>The process is gone (reaped). Its last lines and events may still be on their way to the listener.</summary>
    internal bool HasExited => _reaped;

    /// <summary>Time since the engine process started.</summary>
    internal TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Starts the engine, through a few lines of perl (Essential in Debian)
    /// that exec it in place, so the process id is the engine's:
    /// - a process group of its own, so a ^C typed in the terminal (which the
    ///   terminal sends to its whole foreground process group: PowerShell and
    ///   its children) does not kill VMs that run in the background;
    /// - PR_SET_PDEATHSIG = SIGTERM, so the engine stops even when PowerShell
    ///   dies without running any of our code (kill -9, a crash). The signal
    ///   follows the thread that forked, not the process, which is why every
    ///   engine is forked by one thread that lives as long as the process.
    /// Not setsid: a new session gets a scheduler autogroup of its own and
    /// started the engine 50-80 ms slower here. setsid (then nothing) is only
    /// the fallback where perl is missing.
    /// </summary>
    internal static VmProcess Start(string enginePath, IReadOnlyList<string> arguments, string vmName,
        IEngineListener listener, TimeSpan? partialLineIdle = null)
    {
        if (!Posix.IsExecutable(enginePath))
            throw LguestErrors.Fail("EngineStartError", $"Cannot start the lguest engine '{enginePath}': it is not executable (chmod +x).");
        var idle = partialLineIdle ?? DefaultPartialLineIdle;
        VmProcess vp;
        if (File.Exists(Perl))
            vp = new VmProcess(Perl, new[] { "-e", Launcher, Posix.GetProcessId().ToString(System.Globalization.CultureInfo.InvariantCulture), enginePath }.Concat(arguments), vmName, listener, idle);
        else if (new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) is string setsid)
            vp = new VmProcess(setsid, new[] { enginePath }.Concat(arguments), vmName, listener, idle);
        else
            vp = new VmProcess(enginePath, arguments, vmName, listener, idle);
        vp.Run(enginePath);
        return vp;
    }

    private const string Perl = "/usr/bin/perl";

    // prctl is system call 157 on x86-64 (the engine's only architecture); PR_SET_PDEATHSIG is 1, SIGTERM 15.
    // If PowerShell died before the prctl, getppid() no longer names it: give up rather than run orphaned.
    private const string Launcher =
        "my $owner = shift; setpgrp(0, 0); syscall(157, 1, 15); exit 143 if getppid() != $owner; " +
        "exec { $ARGV[0] } @ARGV or die \"lguest: cannot run $ARGV[0]: $!\\n\";";

    /// <summary>The one thread that forks engines (see Start): it lives as long as the process.</summary>
    private static readonly System.Collections.Concurrent.BlockingCollection<Action> Spawns = StartSpawner();

    private static System.Collections.Concurrent.BlockingCollection<Action> StartSpawner()
    {
        var queue = new System.Collections.Concurrent.BlockingCollection<Action>();
        new Thread(() => { foreach (var spawn in queue.GetConsumingEnumerable()) spawn(); })
            { IsBackground = true, Name = "lguest engine spawner" }.Start();
        return queue;
    }

    private void Run(string enginePath)
    {
        Exception? failure = null;
        using (var started = new ManualResetEventSlim(false))
        {
            Spawns.Add(() =>
            {
                try
                {
                    _clock.Start();
                    _process.Start();
                }
                catch (Exception e) { failure = e; }
                finally { started.Set(); }
            });
            started.Wait();
        }
        if (failure is Win32Exception or InvalidOperationException)
            throw LguestErrors.Fail("EngineStartError", $"Cannot start the lguest engine '{enginePath}': {failure.Message}", failure);
        if (failure != null) throw failure;
        ProcessId = _process.Id;
        lock (Live) Live.Add(this);
        _idleTimer = new Timer(_ => OnIdle(), null, Timeout.Infinite, Timeout.Infinite);

        var stdout = new Thread(ReadConsole) { IsBackground = true, Name = $"lguest {ProcessId} console" };
        var stderr = new Thread(ReadEvents) { IsBackground = true, Name = $"lguest {ProcessId} events" };
        stdout.Start();
        stderr.Start();
        new Thread(() => AwaitExit(stdout, stderr)) { IsBackground = true, Name = $"lguest {ProcessId} exit" }.Start();
    }

    private void ReadConsole()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[8192];
        var lines = new List<LguestConsoleLine>();
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (_consoleLock)
                {
                    _splitter.Feed(buffer, n, _clock.Elapsed, lines);
                    foreach (var line in lines) Deliver(line);
                    lines.Clear();
                }
                _idleTimer?.Change(_idle, Timeout.InfiniteTimeSpan);
            }
        }
        catch (IOException) { /* the pipe broke: the engine is gone */ }
        catch (ObjectDisposedException) { }
        lock (_consoleLock)
        {
            var last = _splitter.Finish();
            if (last != null) Deliver(last);
        }
    }

    private void OnIdle()
    {
        lock (_consoleLock)
        {
            var preview = _splitter.Idle();
            if (preview != null) Deliver(preview);
        }
    }

    private void Deliver(LguestConsoleLine line)
    {
        try { _listener.OnConsoleLine(line); }
        catch (Exception) { /* a listener's failure must not stop the console */ }
    }

    private void ReadEvents()
    {
        var reader = new StreamReader(_process.StandardError.BaseStream, new UTF8Encoding(false));
        try
        {
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (line.Length == 0) continue;
                var e = EngineEvent.Parse(line, _clock.Elapsed);
                switch (e.Name)
                {
                    case EngineEvent.Exit: _exitEvent = e; break;
                    case EngineEvent.Error: _errorEvent = e; break;
                    case EngineEvent.Text:
                        _stderrTail.Enqueue(line);
                        if (_stderrTail.Count > 20) _stderrTail.Dequeue();
                        break;
                }
                try { _listener.OnEvent(e); }
                catch (Exception) { }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    private void AwaitExit(Thread stdout, Thread stderr)
    {
        _process.WaitForExit();
        _reaped = true; // from here on the pid may belong to someone else: never signal it again
        // The pipes close with the process; the readers finish what they hold first.
        stdout.Join(TimeSpan.FromSeconds(5));
        stderr.Join(TimeSpan.FromSeconds(5));
        _idleTimer?.Dispose();
        _killTimer?.Dispose();
        int code = _process.ExitCode;

        string reason = _exitEvent?.GetString("reason") ?? LguestErrors.ExitReasonForCode(code);
        string message = _exitEvent?.GetString("message")
            ?? (_stderrTail.Count > 0 ? string.Join(Environment.NewLine, _stderrTail) : $"the engine exited with code {code} and said nothing");
        _clock.Stop(); // the VM's Uptime stays what the run lasted
        Exit = new EngineExit(code, reason, message, _errorEvent?.GetString("id"), _errorEvent?.GetString("message"),
            _stopRequested, _clock.Elapsed);

        lock (Live) Live.Remove(this);
        try { _listener.OnExit(Exit); }
        catch (Exception) { }
        finally
        {
            _exited.Set();
            _process.Dispose();
        }
    }

    /// <summary>Types text into the guest's console (the engine's stdin).</summary>
    internal void Send(string text)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        lock (_stdinLock)
        {
            if (HasExited) throw LguestErrors.Fail("VmNotRunning", "The VM's engine has exited: there is no console to type into.");
            try
            {
                var stdin = _process.StandardInput.BaseStream;
                stdin.Write(bytes, 0, bytes.Length);
                stdin.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                throw LguestErrors.Fail("VmNotRunning", "The VM's engine has exited: there is no console to type into.", e);
            }
        }
    }

    /// <summary>
    /// Asks the engine to stop and returns at once: SIGTERM, then SIGKILL
    /// after <paramref name="grace"/>; with <paramref name="force"/>, SIGKILL
    /// straight away (no disk flush: pulling the plug).
    /// </summary>
    internal void RequestStop(bool force, TimeSpan grace)
    {
        if (HasExited) return;
        _stopRequested = true;
        if (force)
        {
            Posix.Kill(ProcessId, Posix.SIGKILL);
            return;
        }
        Posix.Kill(ProcessId, Posix.SIGTERM);
        lock (_stdinLock)
        {
            if (_killTimer == null && !HasExited)
                _killTimer = new Timer(_ => { lock (_stdinLock) if (!HasExited) Posix.Kill(ProcessId, Posix.SIGKILL); }, null, grace, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Waits until the process is gone and everything it said was delivered.</summary>
    internal bool WaitForExit(TimeSpan timeout) => _exited.Wait(timeout);

    /// <summary>The PowerShell process is exiting: stop every engine still running, quickly.</summary>
    private static void StopAllOnExit()
    {
        VmProcess[] live;
        lock (Live) live = Live.ToArray();
        foreach (var vp in live) vp.RequestStop(force: false, DefaultStopGrace);
        var deadline = DateTime.UtcNow.AddSeconds(2);
        foreach (var vp in live)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !vp.WaitForExit(left)) Posix.Kill(vp.ProcessId, Posix.SIGKILL);
        }
    }

    /// <summary>
    /// ProcessStartInfo.ArgumentList passes each argument verbatim (no quoting
    /// rules to get wrong for a kernel command line full of quotes). .NET
    /// Standard 2.0 does not declare it, but every runtime PowerShell 7 runs
    /// on has it.
    /// </summary>
    private static void AddArguments(ProcessStartInfo psi, IEnumerable<string> arguments)
    {
        var list = typeof(ProcessStartInfo).GetProperty("ArgumentList")?.GetValue(psi) as Collection<string>
            ?? throw new PlatformNotSupportedException("LguestPS needs PowerShell 7 (.NET with ProcessStartInfo.ArgumentList).");
        foreach (var a in arguments) list.Add(a);
    }
}
