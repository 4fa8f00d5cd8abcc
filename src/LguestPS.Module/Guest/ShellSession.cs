using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using LguestPS.Session;

namespace LguestPS.Guest;

/*
 * A conversation with whatever POSIX shell sits on the guest's console:
 * busybox ash (echoing through its line editor, ESC [ 6n before each
 * prompt), dash with the terminal's echo, bash, or a shell with echo off. We
 * assume nothing about prompts or echo; we only look for markers
 * (ShellMarker) in the lines that come back.
 *
 * First the shell must be there. A command typed while the guest boots
 * could arrive half (the console switching devices under it) and run as
 * half a command, so we type probes instead, `echo <probe marker>`, each
 * harmless however much of it arrives, more slowly as time passes, until
 * one is answered. Probes that waited in the guest's input answer later;
 * their answers carry the probe's nonce and nobody listens for it any more.
 * Once a conversation has ended cleanly the shell is known to be at its
 * prompt (VmRun.ShellInStep) and the next one skips the probing.
 *
 * A command that outlives its deadline is interrupted like a person would:
 * Ctrl+C (the busybox guest's shell has job control on its console, so the
 * command's process group gets SIGINT and the shell abandons the rest of
 * the line), then probes until the shell answers again, so the console is
 * usable for the next command. The same happens when the user presses
 * Ctrl+C in PowerShell.
 *
 * Once the shell is found, the first command is preceded by `stty -echo`
 * on a line of its own, and the terminal stays that way: an echoing shell
 * writes every character we type back one write at a time (busybox's line
 * editor does), and each write is a virtio kick, a VM exit; with echo off
 * the line editor gives way to a plain read of the whole line. It is done
 * once per shell found, not per command: on a software-only KVM the
 * `stty` program alone costs the guest a good part of a second.
 *
 * Every write to the console waits at most until the deadline: a guest that
 * stops reading its console fills the engine's input buffer and the pipe
 * to it, and a write would otherwise block for good.
 */
/// <summary>One conversation with the guest's console shell: probing for it, running scripts between markers.</summary>
internal sealed class ShellSession
{
    /// <summary>How long, beyond the deadline, an interrupted shell has to answer again.</summary>
    internal static TimeSpan ResyncGrace { get; set; } = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan FirstProbeWait = TimeSpan.FromMilliseconds(500), LongestProbeWait = TimeSpan.FromSeconds(4);

    /// <summary>Typed on its own line before the first command after the shell was (re)found: see the tour above.</summary>
    internal const string Quiet = "stty -echo 2>/dev/null";

    private readonly IConsoleChannel _console;
    private readonly string _vmName;
    private readonly CancellationToken _cancel;
    private bool _quieten;

    internal ShellSession(IConsoleChannel console, string vmName, bool inStep, CancellationToken cancel)
    {
        _console = console;
        _vmName = vmName;
        InStep = inStep;
        _cancel = cancel;
    }

    /// <summary>True when the shell is known to be at its prompt (the last exchange ended cleanly).</summary>
    internal bool InStep { get; private set; }

    /// <summary>Waits for the shell to answer a probe unless it is known to be there. Throws GuestShellNotResponding.</summary>
    internal void Sync(Deadline deadline)
    {
        if (InStep) return;
        if (!Probe(deadline))
        {
            _cancel.ThrowIfCancellationRequested();
            throw LguestErrors.Fail("GuestShellNotResponding",
                $"VM '{_vmName}': no shell answered on its console within {Seconds(deadline)}. If the guest is still booting, give a larger -Timeout; " +
                "otherwise its console is not at a shell prompt (a login prompt, or a program that holds the console).");
        }
        InStep = true;
        _quieten = true;
    }

    /// <summary>
    /// Runs a script between markers and returns its exit code. Output lines go to
    /// <paramref name="onOutput"/>. With <paramref name="onReady"/>, the script's stdin is the
    /// console and <paramref name="onReady"/> is called when the script prints the Ready marker
    /// (<see cref="ShellMarker.Echo"/> of <see cref="ShellMarker.Ready"/>), to type its input.
    /// </summary>
    internal int Run(Func<ShellMarker, string> script, Deadline deadline, string what, Action<string> onOutput, Action<ShellSession, Deadline>? onReady = null)
    {
        Sync(deadline);
        var marker = ShellMarker.New();
        InStep = false;
        var lines = CommandScript.Lines(script(marker), marker, stdinFromConsole: onReady != null);
        if (_quieten) lines = new[] { Quiet }.Concat(lines).ToList();
        _quieten = false;
        // All lines in one write: the shell reads them one by one as it gets to them.
        Type(string.Join("\n", lines) + "\n", deadline, what);

        Expect(marker, deadline, what, null, ShellMarker.Begin);
        while (true)
        {
            var (tag, before, after) = Expect(marker, deadline, what, onOutput, ShellMarker.End, onReady != null ? ShellMarker.Ready : ShellMarker.End);
            if (before.Length > 0) onOutput(before); // output that did not end with a newline
            if (tag == ShellMarker.Ready)
            {
                onReady!(this, deadline);
                onReady = null;
                continue;
            }
            int colon = after.IndexOf(':');
            if (colon <= 0 || !int.TryParse(after.Substring(0, colon), out int code))
                throw LguestErrors.Fail("GuestShellProtocolError", $"VM '{_vmName}': the shell's end marker for {what} carried no exit code ('{after}').");
            InStep = true;
            return code;
        }
    }

    /// <summary>Types text into the console, waiting for the write no longer than the deadline.</summary>
    internal void Type(string text, Deadline deadline, string what)
    {
        bool done;
        try
        {
            done = TrySend(text, deadline, _cancel);
        }
        catch (OperationCanceledException)
        {
            Abandon();
            throw;
        }
        if (!done) throw TimedOut(deadline, what, "The guest stopped reading its console, so nothing more can be typed into it; Stop-LguestVm stops it.");
    }

    /// <summary>Writes on a pool thread and waits for it until the deadline: false if the write is still blocked then.</summary>
    private bool TrySend(string text, Deadline deadline, CancellationToken cancel)
    {
        var write = Task.Run(() => _console.Send(text));
        try
        {
            return write.Wait(deadline.IsInfinite ? Timeout.Infinite : (int)Math.Min(deadline.Left.TotalMilliseconds, int.MaxValue), cancel);
        }
        catch (AggregateException e) when (e.InnerException is LguestException gone)
        {
            throw gone;
        }
    }

    /// <summary>Waits for a line with one of the tags; lines before it go to <paramref name="onLine"/> (stripped of terminal control).</summary>
    private (char Tag, string Before, string After) Expect(ShellMarker marker, Deadline deadline, string what, Action<string>? onLine, params char[] tags)
    {
        while (true)
        {
            switch (_console.Read(deadline.Left, _cancel, out string line))
            {
                case ConsoleRead.Line:
                    foreach (char tag in tags)
                        if (marker.Find(line, tag, out string before, out string after))
                            return (tag, TerminalText.Strip(before), after);
                    onLine?.Invoke(TerminalText.Strip(line));
                    break;
                case ConsoleRead.Closed:
                    throw LguestErrors.Fail("VmExitedDuringCommand", $"VM '{_vmName}' ended before {what} finished.");
                case ConsoleRead.Cancelled:
                    Abandon();
                    throw new OperationCanceledException(_cancel);
                case ConsoleRead.TimedOut:
                    if (!deadline.HasPassed) continue; // an infinite deadline waits a day at a time
                    throw TimedOut(deadline, what, Interrupt()
                        ? "It was interrupted with Ctrl+C and the shell answered again."
                        : "It was interrupted with Ctrl+C, but the shell did not answer again; the next command waits for it.");
            }
        }
    }

    /// <summary>The user stopped us: interrupt what runs in the guest so the console is left usable.</summary>
    private void Abandon()
    {
        try { Interrupt(); }
        catch (LguestException) { /* the VM is gone; nothing to leave usable */ }
    }

    /// <summary>Ctrl+C, then probes until the shell answers again (at most ResyncGrace). True if it did.</summary>
    private bool Interrupt()
    {
        InStep = false;
        var grace = Deadline.After(ResyncGrace);
        if (!TrySend("\u0003", grace, CancellationToken.None)) return false;
        InStep = Probe(grace, ignoreCancel: true);
        return InStep;
    }

    /// <summary>Types probes, waiting longer after each, until one is answered or the deadline passes.</summary>
    private bool Probe(Deadline deadline, bool ignoreCancel = false)
    {
        var marker = ShellMarker.New();
        var cancel = ignoreCancel ? CancellationToken.None : _cancel;
        var wait = FirstProbeWait;
        while (!deadline.HasPassed && !cancel.IsCancellationRequested)
        {
            try
            {
                if (!TrySend(marker.Echo(ShellMarker.Probe) + "\n", deadline, cancel)) return false;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            var probeDeadline = Deadline.After(deadline.LeftAtMost(wait));
            while (true)
            {
                var read = _console.Read(probeDeadline.Left, cancel, out string line);
                if (read == ConsoleRead.Closed) throw LguestErrors.Fail("VmExitedDuringCommand", $"VM '{_vmName}' ended while we waited for its shell.");
                if (read != ConsoleRead.Line) break;
                if (marker.Find(line, ShellMarker.Probe, out _, out _)) return true;
            }
            if (wait < LongestProbeWait) wait = TimeSpan.FromTicks(wait.Ticks * 2);
        }
        return false;
    }

    private LguestException TimedOut(Deadline deadline, string what, string outcome) =>
        LguestErrors.Fail("GuestCommandTimedOut", $"VM '{_vmName}': {what} did not finish within {Seconds(deadline)}. {outcome}");

    private static string Seconds(Deadline d) => $"{d.Limit.TotalSeconds:0.#} s";
}
