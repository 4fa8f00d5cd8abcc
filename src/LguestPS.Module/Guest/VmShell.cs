using System;
using System.Threading;
using LguestPS.Session;

namespace LguestPS.Guest;

/// <summary>
/// The console shell of a running VM, claimed for one conversation (one
/// command or copy at a time per VM); giving it back records whether the
/// shell was left at its prompt, so the next conversation knows.
/// </summary>
internal sealed class VmShell : IDisposable
{
    private readonly VmRun _run;
    private readonly ConsoleClaim _claim;

    private VmShell(VmRun run, ConsoleClaim claim, ShellSession shell)
    {
        _run = run;
        _claim = claim;
        Shell = shell;
    }

    internal ShellSession Shell { get; }

    /// <summary>Claims the console, waiting for another conversation to end if need be. Throws VmNotRunning, GuestConsoleBusy.</summary>
    internal static VmShell Claim(LguestVm vm, Deadline deadline, CancellationToken cancel)
    {
        var run = VmRun.Running(vm);
        var claim = run.ClaimConsole(deadline.IsInfinite ? Timeout.InfiniteTimeSpan : deadline.Left, cancel);
        cancel.ThrowIfCancellationRequested();
        if (claim == null)
            throw LguestErrors.Fail("GuestConsoleBusy",
                $"VM '{vm.Name}': another command or copy held its console for all of the {deadline.Limit.TotalSeconds:0.#} s allowed; commands to one VM run one at a time.");
        return new VmShell(run, claim, new ShellSession(claim, vm.Name, run.ShellInStep, cancel));
    }

    public void Dispose()
    {
        _run.ShellInStep = Shell.InStep;
        _claim.Dispose();
    }
}
