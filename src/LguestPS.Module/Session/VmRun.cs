using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using LguestPS.Client;
using LguestPS.Contract;

namespace LguestPS.Session;

/*
 * One run of a VM: one engine process from launch to exit, and the only
 * object that knows about it. It launches the engine (EngineLauncher), reads
 * its console and its events (ConsoleReader, EventReader), signals it
 * (EngineSignals), keeps the VM's state in step with what the engine says,
 * records the console for pattern waits, and tells its one listener (the
 * VM's job, or Start-LguestVm -Wait's feed) everything, ending with OnEnded.
 *
 * A VM has at most one live run. VmRun.Of finds a VM's current or last run,
 * so the VM holds no pointer to it; the table is also the lock under which a
 * run claims its VM and writes the VM's state, so two starts cannot both win
 * and a finished run never writes over its successor.
 *
 * Room to grow without reshaping: a control channel to the engine (pause,
 * resume, power button, Ctrl+Alt+Del) is one more piece beside the readers,
 * handed over by the launcher with the pipes; a graceful stop with a timeout
 * is one more StopMode that asks over it before EngineSignals; new exit reasons are
 * read in Ended, where the console history is at hand for a panic line; and
 * the lock a command runner takes to drive the guest's shell belongs beside
 * Send and History, one per run: ClaimConsole, whose claim keeps the
 * conversation's lines out of the history (Session/ConsoleClaim.cs).
 *
 * Start-LguestVm returns only once the engine said `ready` (the guest is
 * about to run) or the run ended: whatever the engine refuses at start (a
 * user that does not exist, a kernel gone since New-LguestVm, a disk
 * another VM holds) is then the error of Start-LguestVm itself, and
 * -ErrorAction Stop stops the script there. WaitUntilRunning is that wait:
 * the Starting-to-Running step in OnEvent, or the end.
 */
internal sealed class VmRun
{
    /// <summary>How long an engine has to exit after SIGTERM before SIGKILL (settable for tests).</summary>
    internal static TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the guest must be quiet before its unfinished console line is delivered.</summary>
    internal static readonly TimeSpan PartialLineIdle = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long the end waits for the readers to drain the pipes. They close with the engine, so the readers end
    /// as soon as they have delivered what the pipes held; the bound is only for a pipe something else keeps
    /// open. It is generous because a reader on a loaded or emulated host can be seconds behind the engine, and
    /// the console lines it has yet to deliver must not be cut off.
    /// </summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Each VM's current or last run; also the lock for every write to a VM's run state.</summary>
    private static readonly ConditionalWeakTable<LguestVm, VmRun> Latest = new();

    private readonly string _enginePath;
    private IReadOnlyList<string> _arguments;
    private readonly bool _verbose;
    private EngineControl? _control;
    private readonly Stopwatch _clock = new();
    private readonly ManualResetEventSlim _ended = new(false);
    private readonly ManualResetEventSlim _runningOrEnded = new(false);
    private readonly object _deliveryLock = new(), _stdinLock = new();
    private IVmRunListener? _listener;
    private Process? _process;
    private EngineSignals? _signals;
    private ConsoleReader? _console;
    private EventReader? _events;
    private bool _ending; // under Latest: the end is being reported, the VM's state is the end's
    private volatile bool _becameReady;
    private volatile bool _stopRequested;
    private volatile bool _shellInStep;
    private readonly SemaphoreSlim _consoleTurn = new(1, 1);
    private ConsoleClaim? _claim; // under _deliveryLock
    private bool _consoleClosed;  // under _deliveryLock
    private StopMode _stopMode;

    private VmRun(LguestVm vm, string enginePath, bool verbose)
    {
        Vm = vm;
        _enginePath = enginePath;
        _verbose = verbose;
        _arguments = EngineArguments.For(vm, verbose);
    }

    /// <summary>A run of the VM, ready to start: the engine found and its command line made. Throws EngineNotFound.</summary>
    internal static VmRun Prepare(LguestVm vm, VmRunOptions options) =>
        new(vm, LguestEngine.FindExecutable(), options.Verbose);

    /// <summary>The VM's current or last run; null if it never started.</summary>
    internal static VmRun? Of(LguestVm vm)
    {
        lock (Latest) return Latest.TryGetValue(vm, out var run) ? run : null;
    }

    /// <summary>The VM's run while it runs; VmNotRunning otherwise.</summary>
    internal static VmRun Running(LguestVm vm) =>
        Of(vm) is { HasEnded: false } run ? run
        : throw LguestErrors.Fail("VmNotRunning", $"VM '{vm.Name}' is not running; Start-LguestVm starts it.");

    internal LguestVm Vm { get; }

    /// <summary>The engine's command line, for the job's Command and for people.</summary>
    internal string CommandLine => string.Join(" ", new[] { _enginePath }.Concat(_arguments));

    /// <summary>Every console line of the run, for pattern waits.</summary>
    internal ConsoleHistory History { get; } = new();

    /// <summary>How the run ended; null until it has (and for a run whose engine never started).</summary>
    internal RunOutcome? Outcome { get; private set; }

    /// <summary>Why the run failed, when it did.</summary>
    internal LguestException? Error { get; private set; }

    /// <summary>The run is over and its listener has heard so.</summary>
    internal bool HasEnded => _ended.IsSet;

    internal WaitHandle EndedHandle => _ended.WaitHandle;

    /// <summary>
    /// Claims the VM and starts the engine; everything the run reports goes to
    /// <paramref name="listener"/>. Throws VmRunning if the VM already runs,
    /// EngineStartError if the engine cannot be started (the VM is then as it was).
    /// </summary>
    internal void Start(IVmRunListener listener)
    {
        VmRun? previous;
        (LguestVmState, string?, int?, Stopwatch?) before;
        lock (Latest)
        {
            if (_listener != null) throw new InvalidOperationException("A run starts once; Start-LguestVm makes another.");
            previous = Of(Vm);
            if (previous is { _ending: false })
                throw LguestErrors.Fail("VmRunning", $"VM '{Vm.Name}' is already {Vm.State}.");
            _listener = listener;
            before = (Vm.State, Vm.ExitReason, Vm.ExitCode, Vm.RunClock);
            Claim(this);
            (Vm.State, Vm.ExitReason, Vm.ExitCode, Vm.RunClock) = (LguestVmState.Starting, null, null, _clock);
        }
        try
        {
            // The control socket's directory is made now, not at Prepare, so a run that never starts leaves none.
            _control = EngineControl.Create();
            _arguments = EngineArguments.For(Vm, _verbose, _control.SocketPath);
            _process = EngineLauncher.Start(_enginePath, _arguments, _clock);
        }
        catch
        {
            _control?.Delete();
            lock (Latest)
            {
                _ending = true;
                Claim(previous);
                (Vm.State, Vm.ExitReason, Vm.ExitCode, Vm.RunClock) = before;
            }
            _ended.Set();
            _runningOrEnded.Set();
            throw;
        }

        int pid = _process.Id;
        var signals = new EngineSignals(pid);
        LiveEngines.Add(signals);
        StopMode? stopAsked;
        lock (Latest)
        {
            _signals = signals;
            Vm.ProcessId = pid;
            stopAsked = _stopRequested ? _stopMode : null;
        }
        if (stopAsked is StopMode mode) Signal(signals, mode); // a stop that came while the engine was being forked
        _console = new ConsoleReader(_process.StandardOutput.BaseStream, Vm.Name, _clock, PartialLineIdle, OnConsoleLine, $"lguest {pid} console");
        _events = new EventReader(_process.StandardError.BaseStream, _clock, OnEvent, $"lguest {pid} events");
        _console.Start();
        _events.Start();
        new Thread(AwaitExit) { IsBackground = true, Name = $"lguest {pid} exit" }.Start();
    }

    private void Claim(VmRun? run)
    {
        Latest.Remove(Vm);
        if (run != null) Latest.Add(Vm, run);
    }

    /// <summary>Types text into the guest's console (the engine's stdin) for a person or a script.</summary>
    internal void Send(string text)
    {
        ShellInStep = false; // whatever the shell was doing, we no longer know
        WriteConsole(text);
    }

    /// <summary>
    /// True while the guest's console shell is known to be at its prompt: the
    /// last conversation ended cleanly and nobody typed since. A command then
    /// need not first probe for the shell.
    /// </summary>
    internal bool ShellInStep
    {
        get => _shellInStep;
        set => _shellInStep = value;
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) for the console to be free of
    /// other conversations and claims it: one command or copy at a time per VM.
    /// Null on timeout; VmNotRunning if the run is over.
    /// </summary>
    internal ConsoleClaim? ClaimConsole(TimeSpan timeout, CancellationToken cancel)
    {
        if (HasEnded) throw ConsoleGone(null);
        try
        {
            if (!_consoleTurn.Wait(timeout, cancel)) return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var claim = new ConsoleClaim(WriteConsole, () =>
        {
            lock (_deliveryLock) _claim = null;
            _consoleTurn.Release();
        });
        lock (_deliveryLock)
        {
            _claim = claim;
            if (_consoleClosed) claim.Close();
        }
        return claim;
    }

    internal void WriteConsole(string text)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        lock (_stdinLock)
        {
            if (_process == null || _signals is not { IsReaped: false }) throw ConsoleGone(null);
            try
            {
                var stdin = _process.StandardInput.BaseStream;
                stdin.Write(bytes, 0, bytes.Length);
                stdin.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                throw ConsoleGone(e);
            }
        }
    }

    private LguestException ConsoleGone(Exception? inner) =>
        LguestErrors.Fail("VmNotRunning", $"VM '{Vm.Name}': its engine has exited, so there is no console to type into.", inner);

    /// <summary>Stops the engine and returns once the run has ended.</summary>
    internal void Stop(StopMode mode)
    {
        RequestStop(mode);
        if (_listener != null) _ended.Wait();
    }

    /// <summary>Like Stop, but returns at once.</summary>
    internal void RequestStop(StopMode mode)
    {
        EngineSignals? signals;
        lock (Latest)
        {
            signals = _signals;
            if (_listener == null || _ending || signals?.IsReaped == true) return;
            Vm.State = LguestVmState.Stopping;
            // Before the signal: the end it causes must read as asked for. Start applies it if the fork is not done yet.
            _stopRequested = true;
            _stopMode = mode;
        }
        if (signals != null) Signal(signals, mode);
    }

    private static void Signal(EngineSignals signals, StopMode mode)
    {
        if (mode == StopMode.Kill) signals.Kill();
        else signals.Terminate(StopGrace);
    }

    internal bool WaitForEnd(TimeSpan timeout) => _ended.Wait(timeout);

    /*
     * Work on a running guest goes through the engine's control channel
     * (EngineControl). The state follows what the engine confirmed at once,
     * and the engine's paused/resumed events say the same again.
     */
    /// <summary>Suspends the guest (state Paused). Throws VmNotRunning, VmControlFailed or VmControlRefused.</summary>
    internal void Pause()
    {
        Ask(Control.Ops.Pause, "suspend it");
        SetStateIf(LguestVmState.Running, LguestVmState.Paused);
    }

    /// <summary>Resumes a suspended guest (state Running).</summary>
    internal void Resume()
    {
        Ask(Control.Ops.Resume, "resume it");
        SetStateIf(LguestVmState.Paused, LguestVmState.Running);
    }

    /// <summary>
    /// Asks the guest to shut down (the ACPI power button; if the guest does not listen to one, Ctrl+Alt+Del)
    /// and waits up to <paramref name="timeout"/> for the run to end. A guest that takes neither request, or is
    /// not done in time, is turned off (SIGTERM, as Stop without a shutdown) after <paramref name="warn"/> says so.
    /// Returns once the run has ended.
    /// </summary>
    internal void ShutDown(TimeSpan timeout, Action<string> warn)
    {
        lock (Latest)
        {
            if (_listener == null || _ending || _signals?.IsReaped == true) return;
            Vm.State = LguestVmState.Stopping;
        }
        TryControl(Control.Ops.Resume); // a paused guest cannot hear anything
        string? button = TryControl(Control.Ops.PowerButton);
        string? keys = button == null ? null : TryControl(Control.Ops.CtrlAltDel);
        if (button != null && keys != null)
            warn($"VM '{Vm.Name}' takes no shutdown request (power button: {button}; Ctrl+Alt+Del: {keys}): turning it off.");
        else if (!_ended.Wait(timeout))
            warn($"VM '{Vm.Name}' did not shut down within {timeout.TotalSeconds:0.###} s of being asked to: turning it off.");
        else
            return;
        Stop(StopMode.Terminate);
    }

    private void Ask(string op, string what)
    {
        if (TryControl(op) is string error)
            throw LguestErrors.Fail(error.StartsWith(NoChannel, StringComparison.Ordinal) ? "VmControlFailed" : "VmControlRefused",
                $"VM '{Vm.Name}': cannot {what}: {error}");
    }

    private const string NoChannel = "no control channel: ";
    private static readonly TimeSpan ControlReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Does an operation; null when done, else why not (NoChannel first when the engine was not reached).</summary>
    private string? TryControl(string op)
    {
        var control = _control;
        if (control == null || HasEnded || _signals is not { IsReaped: false })
            throw LguestErrors.Fail("VmNotRunning", $"VM '{Vm.Name}' is not running; Start-LguestVm starts it.");
        // A VM still Starting has no control channel yet: it opens as the engine says ready.
        if (!_runningOrEnded.Wait(ControlReadyTimeout) || HasEnded)
            return HasEnded ? throw LguestErrors.Fail("VmNotRunning", $"VM '{Vm.Name}' is not running; Start-LguestVm starts it.")
                : NoChannel + $"the engine did not say ready within {ControlReadyTimeout.TotalSeconds} s";
        try { return control.Send(op); }
        catch (IOException e) { return NoChannel + e.Message; }
    }

    private void SetStateIf(LguestVmState from, LguestVmState to)
    {
        lock (Latest)
            if (!_ending && Vm.State == from) Vm.State = to;
    }

    /// <summary>
    /// Waits until the engine said ready or the run ended. True when the guest
    /// runs (or ran: a quick guest may be gone already), false when the run
    /// ended before it was ready or <paramref name="cancel"/> fired.
    /// </summary>
    internal bool WaitUntilRunning(CancellationToken cancel)
    {
        try { _runningOrEnded.Wait(cancel); }
        catch (OperationCanceledException) { return false; }
        return _becameReady;
    }

    private void OnConsoleLine(LguestConsoleLine line)
    {
        lock (_deliveryLock)
        {
            // The listener first: whoever a pattern wait wakes must find the line in Receive-Job already.
            Tell(l => l.OnConsoleLine(line));
            if (_claim?.Offer(line) != true) History.Add(line);
        }
    }

    private void OnEvent(EngineEvent e)
    {
        if (e.Name == Events.Ready.Name)
        {
            SetStateIf(LguestVmState.Starting, LguestVmState.Running);
            _becameReady = true;
            _runningOrEnded.Set();
        }
        else if (e.Name == Events.Paused.Name) SetStateIf(LguestVmState.Running, LguestVmState.Paused);
        else if (e.Name == Events.Resumed.Name) SetStateIf(LguestVmState.Paused, LguestVmState.Running);
        RecordBootTime(e);
        var record = Diagnostic(e);
        if (record != null)
            lock (_deliveryLock) Tell(l => l.OnDiagnostic(record));
    }

    /// <summary>The VM's BootTime: forgotten when a new run is ready, set by each boot-time event.</summary>
    private void RecordBootTime(EngineEvent e)
    {
        if (e.Name == Events.Ready.Name) Vm.BootTime = null;
        else if (e.Name == Events.BootTime.Name && e.GetNumber(Events.BootTime.FromPowerOn) is double secs && secs >= 0
                 && secs < TimeSpan.MaxValue.TotalSeconds)
            Vm.BootTime = TimeSpan.FromTicks((long)(secs * TimeSpan.TicksPerSecond));
    }

    /// <summary>What an event says to people: warnings for warnings and for text a dying engine wrote, the rest verbose.</summary>
    private InformationalRecord? Diagnostic(EngineEvent e) => e.Name switch
    {
        Events.Error.Name => null, // it becomes the run's error when the engine exits
        EngineEvent.Text => new WarningRecord($"{Vm.Name}: {e.Describe()}"),
        Events.Log.Name when e.GetString(Events.Log.Level) == Events.Log.Levels.Warning => new WarningRecord($"{Vm.Name}: {e.Describe()}"),
        _ => new VerboseRecord($"{Vm.Name}: {e.Describe()}"),
    };

    private void Tell(Action<IVmRunListener> call)
    {
        try { call(_listener!); }
        catch (Exception) { /* a listener's failure must not stop the run */ }
    }

    private void AwaitExit()
    {
        var process = _process!;
        process.WaitForExit();
        _signals!.MarkReaped(); // from here on the pid may belong to someone else: never signal it again
        LiveEngines.Remove(_signals);
        lock (Latest) Vm.ProcessId = null;
        // The pipes close with the process; the readers deliver what they hold first.
        _console!.Finish(DrainTimeout);
        _events!.Finish(DrainTimeout);
        _clock.Stop(); // the VM's Uptime stays what the run lasted
        try
        {
            Ended(EngineExit.Read(process.ExitCode, _events, _stopRequested, _clock.Elapsed));
        }
        finally
        {
            lock (_stdinLock) process.Dispose();
            _control?.Delete();
        }
    }

    private void Ended(EngineExit exit)
    {
        Outcome = exit.Outcome;
        Error = exit.ToError(Vm.Name);
        lock (Latest)
        {
            _ending = true;
            Vm.ExitCode = exit.ExitCode;
            Vm.ExitReason = exit.Reason;
            Vm.State = Outcome == RunOutcome.Failed ? LguestVmState.Failed : LguestVmState.Off;
        }
        History.Close();
        lock (_deliveryLock)
        {
            _consoleClosed = true;
            _claim?.Close();
        }
        try
        {
            lock (_deliveryLock) Tell(l => l.OnEnded(this));
        }
        finally
        {
            _ended.Set();
            _runningOrEnded.Set();
        }
    }
}
