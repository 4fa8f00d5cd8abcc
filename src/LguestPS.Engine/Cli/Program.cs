using System.Diagnostics;
using System.Runtime.InteropServices;
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
        var log = new EventLog(EngineCommandLine.PeekLogFormat(args), clock);
        EngineCommandLine opts;
        try
        {
            opts = EngineCommandLine.Parse(args);
        }
        catch (CommandLineException e)
        {
            return Fail(log, e.Id, e.Message);
        }

        log = new EventLog(opts.LogFormat, clock);
        log.Install(opts.Verbose);
        using var console = new StdioConsole();
        Machine? machine = null;
        VmExit? early = null;
        void OnSignal(PosixSignalContext ctx, VmExit exit)
        {
            ctx.Cancel = true;
            console.Release();
            if (machine is null) early ??= exit;
            else machine.Stop(exit);
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT,
            c => OnSignal(c, new VmExit(ExitReason.SigInt, "stopped by SIGINT")));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM,
            c => OnSignal(c, new VmExit(ExitReason.SigTerm, "stopped by SIGTERM")));
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
            string msg = $"engine error: {e.GetType().Name}: {e.Message} (please report this)";
            log.Error(ErrorId.InternalError, msg);
            console.Dispose();
            log.Exit(ExitReason.EngineError, msg);
            return ExitReason.EngineError.Code;
        }
        finally
        {
            console.RestoreTerminal();
            machine?.Dispose();
        }
    }

    /// <summary>A failure before the guest ran: the error, the usage text for a usage error, and the exit the id ends in.</summary>
    private static int Fail(EventLog log, ErrorId id, string message)
    {
        log.Error(id, message);
        var exit = id.ExitOf();
        if (exit == ExitReason.Usage) Console.Error.WriteLine(EngineCommandLine.Usage);
        log.Exit(exit, message);
        return exit.Code;
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
        PrivilegeDrop.Apply(jail, user); // everything is open; nothing below opens a file
        if (early() is { } stopped) machine.Stop(stopped);
        machine.Rebooted = log.Reboot;
        machine.BootTimed = log.BootTime;
        console.StartInput(machine.DeliverInput, () =>
        {
            console.Release();
            machine.Stop(new VmExit(ExitReason.ConsoleInterrupt, "three ^C on the console: stopping the guest"));
        });
        log.Ready(opts.MemoryMiB, opts.Cpus, opts.Kernel, machine.KernelFormat, machine.CommandLine,
            [Events.Ready.DeviceNames.Serial, .. machine.DeviceNames], Machine.IsPvmHost);
        var exit = machine.Run();
        console.Dispose();
        log.Exit(exit.Reason, exit.Message);
        return exit.Code;
    }
}
