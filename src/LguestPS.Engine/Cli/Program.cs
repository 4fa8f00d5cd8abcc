using System.Diagnostics;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Cli;

/*L:000
 * lguest: run a Linux guest on KVM from the command line, the way Rusty
 * Russell's launcher ran one on /dev/lguest. This file is the tour's
 * starting point: parse the command line, build a Machine, wire the
 * console and signals to it, run it, and turn whatever ended it into an
 * exit code and a last line on stderr. Everything interesting happens in
 * the layers below; here we only make sure that every way out is an orderly
 * one: the terminal restored, the console flushed, the reason said.
 */
public static class Program
{
    public static int Main(string[] args)
    {
        var clock = Stopwatch.StartNew();
        args = RawArgs.Read(args); // the bytes the kernel holds, not the runtime's UTF-8 reading of them
        var log = new EventLog(EngineCommandLine.PeekLogFormat(args), clock);
        EngineCommandLine opts;
        try
        {
            opts = EngineCommandLine.Parse(args);
            if (opts.ParentPid is int parent) ParentLink.Arm(parent);
        }
        catch (CommandLineException e)
        {
            return Fail(log, e.Id, e.Message);
        }
        catch (EngineException e)
        {
            return Fail(log, e.Id, e.Message);
        }

        log = new EventLog(opts.LogFormat, clock);
        log.Install(opts.Verbose);
        using var console = new StdioConsole();
        Machine? machine = null;
        VmExit? early = null;
        void Stop(VmExit exit)
        {
            console.Release();
            if (machine is null) early ??= exit;
            else machine.Stop(exit);
        }
        // A SIGTERM after our parent died is the death signal ParentLink armed: say so.
        string? Why(ExitReason reason) =>
            reason == ExitReason.SigTerm && opts.ParentPid is int p && !ParentLink.IsAlive(p) ? ParentLink.Ended(p) : null;
        using var signals = new StopSignals(Stop, Why);
        try
        {
            return Run(opts, log, console, m => machine = m, () => early);
        }
        catch (EngineException e)
        {
            console.Dispose();
            return Fail(log, e.Id, e.Message);
        }
        catch (Exception e)
        {
            console.Dispose();
            return Fail(log, ErrorId.InternalError, $"engine error: {e.GetType().Name}: {e.Message} (please report this)", ExitReason.EngineError);
        }
        finally
        {
            console.RestoreTerminal();
            machine?.Dispose();
        }
    }

    /// <summary>
    /// A failure: the error (with the usage text, in text mode, for a usage error) and the exit it ends in,
    /// the id's own unless <paramref name="exit"/> says otherwise.
    /// </summary>
    private static int Fail(EventLog log, ErrorId id, string message, ExitReason? exit = null)
    {
        exit ??= id.ExitOf();
        log.Error(id, message, exit == ExitReason.Usage ? EngineCommandLine.Usage : null);
        log.Exit(exit, message);
        return exit.Code;
    }

    /// <summary>Does one control operation (ControlServer): null when done, else why not.</summary>
    private static string? Control(Machine machine, EventLog log, string op)
    {
        try
        {
            switch (op)
            {
                case Contract.Control.Ops.PowerButton:
                    machine.PressPowerButton();
                    log.ShutdownRequested(op);
                    break;
                case Contract.Control.Ops.CtrlAltDel:
                    machine.CtrlAltDel();
                    log.ShutdownRequested(op);
                    break;
                case Contract.Control.Ops.Pause:
                    if (machine.Pause()) log.Paused();
                    break;
                case Contract.Control.Ops.Resume:
                    if (machine.Resume() is { } pausedFor) log.Resumed(pausedFor);
                    break;
            }
            return null;
        }
        catch (EngineException e)
        {
            return e.Message;
        }
    }

    private static int Run(EngineCommandLine opts, EventLog log, StdioConsole console, Action<Machine> started, Func<VmExit?> early)
    {
        var cfg = new VmConfig(opts.MemoryMiB, opts.Cpus, opts.Kernel, opts.Initrd, opts.KernelCommandLine,
            opts.OnReboot == RebootPolicy.Restart)
        {
            Disks = opts.Blocks,
            Rng = opts.Rng,
            Nets = opts.Tunnets,
            HostQuirks = opts.HostQuirks,
        };
        // Checked first: a typo in --username or --chroot costs nothing.
        var user = opts.Username is null ? null : PrivilegeDrop.Resolve(opts.Username);
        string? jail = opts.Chroot is null ? null : PrivilegeDrop.CheckChroot(opts.Chroot);
        var machine = new Machine(cfg, console);
        started(machine);
        machine.OpenKvm();
        // Bound before the privilege drop (the path may be outside the jail), served once the guest runs.
        using var control = opts.Control is null ? null
            : ControlServer.Listen(opts.Control, ControlServer.CurrentUser, op => Control(machine, log, op));
        PrivilegeDrop.Apply(jail, user); // everything is open; nothing below opens a file
        if (opts.ParentPid is int parent && user is not null && !ParentLink.Rearm(parent))
            machine.Stop(new VmExit(ExitReason.SigTerm, ParentLink.Ended(parent)));
        if (early() is { } stopped) machine.Stop(stopped);
        machine.Rebooted = log.Reboot;
        machine.Panicked = log.Panic;
        machine.BootTimed = log.BootTime;
        console.StartInput(machine.DeliverInput, () =>
        {
            console.Release();
            machine.Stop(new VmExit(ExitReason.ConsoleInterrupt, "three ^C on the console: stopping the guest"));
        });
        log.Ready(opts.MemoryMiB, opts.Cpus, opts.Kernel, machine.KernelFormat, machine.CommandLine,
            [Events.Ready.DeviceNames.Serial, .. machine.DeviceNames], Machine.IsPvmHost);
        control?.Start();
        if (opts.Sandbox) Sandbox.Enter(opts.LogFormat == LogFormat.Json, log.Seconds); // nothing below sets anything up
        var exit = machine.Run();
        console.Dispose();
        log.Exit(exit.Reason, exit.Message);
        return exit.Code;
    }
}
