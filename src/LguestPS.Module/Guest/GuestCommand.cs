using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace LguestPS.Guest;

/*
 * Invoke-LguestVmCommand's work: one command, run in the guest's console
 * shell between markers (ShellSession, CommandScript), its output lines and
 * exit code made into an LguestCommandResult. A command that does not
 * finish still has a result (what it printed so far, no exit code): it
 * travels as the error's TargetObject.
 */
/// <summary>Runs commands in a guest's console shell.</summary>
internal static class GuestCommand
{
    /// <summary>A result keeps at most this much output (characters); a guest that prints more has the rest dropped.</summary>
    internal const int OutputLimitChars = 64 << 20;

    internal static LguestCommandResult Invoke(LguestVm vm, string command, int timeoutSeconds, CancellationToken cancel)
    {
        var deadline = Deadline.Seconds(timeoutSeconds);
        var clock = Stopwatch.StartNew();
        var output = new Output();
        try
        {
            using var shell = VmShell.Claim(vm, deadline, cancel);
            return Run(shell.Shell, vm.Name, command, deadline, clock, output);
        }
        catch (LguestException e)
        {
            e.Target = output.Result(vm.Name, command, null, clock.Elapsed);
            throw;
        }
    }

    /// <summary>Runs the command in an open conversation (the tests open one on a local shell).</summary>
    internal static LguestCommandResult Run(ShellSession shell, string vmName, string command, Deadline deadline, Stopwatch clock, Output output)
    {
        int code = shell.Run(_ => command, deadline, $"the command '{Abbreviate(command)}'", output.Add);
        return output.Result(vmName, command, code, clock.Elapsed);
    }

    /// <summary>The non-terminating error that goes with a result whose exit code is not 0; its target is the result.</summary>
    internal static LguestException Failed(LguestCommandResult result)
    {
        string last = result.Output.LastOrDefault(l => l.Trim().Length > 0) is { } l ? $" Its last output line: {l.Trim()}" : "";
        var e = LguestErrors.Fail("GuestCommandFailed", $"VM '{result.VmName}': the command '{Abbreviate(result.Command)}' exited with code {result.ExitCode}.{last}");
        e.Target = result;
        return e;
    }

    /// <summary>The first line of a command, shortened, for messages.</summary>
    internal static string Abbreviate(string command)
    {
        string first = command.Split('\n')[0].TrimEnd('\r');
        return first.Length > 60 ? first.Substring(0, 57) + "..." : first + (first.Length < command.TrimEnd('\n').Length ? " ..." : "");
    }

    /// <summary>A command's output lines, bounded.</summary>
    internal sealed class Output
    {
        private readonly List<string> _lines = new();
        private long _chars;
        private bool _truncated;

        internal void Add(string line)
        {
            lock (_lines)
            {
                if (_chars + line.Length > OutputLimitChars) { _truncated = true; return; }
                _chars += line.Length;
                _lines.Add(line);
            }
        }

        internal LguestCommandResult Result(string vmName, string command, int? exitCode, TimeSpan duration)
        {
            lock (_lines)
                return new LguestCommandResult(vmName, command, _lines.ToArray(), exitCode, duration) { OutputTruncated = _truncated };
        }
    }
}
