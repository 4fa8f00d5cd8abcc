using System.Runtime.InteropServices;
using LguestPS.Contract;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Cli;

/*L:710
 * Every signal whose default would end the process ends it our way instead:
 * the terminal put back, the disks flushed, the exit event written. SIGINT
 * and SIGTERM were always so. A terminal that hangs up sends SIGHUP, ^\ (or
 * anyone) SIGQUIT; each gets its own exit reason, as 128 + its number, the
 * code a shell would have reported. The rest of the signals that end a
 * process by default, which nobody sends a VM on purpose (SIGUSR2, SIGALRM,
 * SIGPWR, ...), take the SIGTERM path and name themselves in its message.
 * (SIGUSR1 kicks vCPUs, see KickSignal; real-time signals keep their
 * default; SIGKILL and SIGSTOP cannot be caught.)
 */
public sealed class StopSignals : IDisposable
{
    private static readonly (PosixSignal Signal, string Name, ExitReason Reason)[] Table =
    [
        (PosixSignal.SIGHUP, "SIGHUP", ExitReason.SigHup),
        (PosixSignal.SIGINT, "SIGINT", ExitReason.SigInt),
        (PosixSignal.SIGQUIT, "SIGQUIT", ExitReason.SigQuit),
        (PosixSignal.SIGTERM, "SIGTERM", ExitReason.SigTerm),
        // No PosixSignal names for these: Linux's numbers, which the runtime takes as they are.
        ((PosixSignal)12, "SIGUSR2", ExitReason.SigTerm),
        ((PosixSignal)14, "SIGALRM", ExitReason.SigTerm),
        ((PosixSignal)16, "SIGSTKFLT", ExitReason.SigTerm),
        ((PosixSignal)24, "SIGXCPU", ExitReason.SigTerm),
        ((PosixSignal)25, "SIGXFSZ", ExitReason.SigTerm),
        ((PosixSignal)26, "SIGVTALRM", ExitReason.SigTerm),
        ((PosixSignal)27, "SIGPROF", ExitReason.SigTerm),
        ((PosixSignal)29, "SIGIO", ExitReason.SigTerm),
        ((PosixSignal)30, "SIGPWR", ExitReason.SigTerm),
    ];

    private readonly List<PosixSignalRegistration> _registrations = new();

    /// <summary>
    /// Routes each signal of the table to <paramref name="stop"/>, with the exit it means; <paramref name="why"/>
    /// may tell a better story than "stopped by SIGTERM" (the parent's death, see ParentLink).
    /// </summary>
    public StopSignals(Action<VmExit> stop, Func<ExitReason, string?> why)
    {
        foreach (var (signal, name, reason) in Table)
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                string message = reason == ExitReason.SigTerm && name != "SIGTERM"
                    ? $"stopped by {name} (as by SIGTERM)"
                    : why(reason) ?? $"stopped by {name}";
                stop(new VmExit(reason, message));
            }));
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
