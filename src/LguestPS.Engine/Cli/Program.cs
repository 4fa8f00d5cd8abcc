using System.Diagnostics;
using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;
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
        var log = new EventLog(args.Contains("--log-format=json") ? LogFormat.Json : LogFormat.Text, clock);
        Options opts;
        try
        {
            opts = Options.Parse(args);
        }
        catch (EngineException e)
        {
            log.Error(e.Id, e.Message);
            if (e.Id == ErrorId.UsageError)
            {
                Console.Error.WriteLine(Options.Usage);
                log.Exit("usage", 2, e.Message);
                return 2;
            }
            log.Exit("error", 1, e.Message);
            return 1;
        }

        log = new EventLog(opts.LogFormat, clock);
        log.Install(opts.Verbose);
        KickSignal.Install();
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
            c => OnSignal(c, new VmExit(ExitKind.SigInt, "stopped by SIGINT")));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM,
            c => OnSignal(c, new VmExit(ExitKind.SigTerm, "stopped by SIGTERM")));
        try
        {
            return Run(opts, log, console, m => machine = m, () => early);
        }
        catch (EngineException e)
        {
            bool kvm = e.Id is ErrorId.KvmUnavailable or ErrorId.KvmFailed;
            log.Error(e.Id, e.Message);
            console.Dispose();
            log.Exit(kvm ? "kvm-error" : "error", kvm ? 3 : 1, e.Message);
            return kvm ? 3 : 1;
        }
        catch (Exception e)
        {
            string msg = $"engine error: {e.GetType().Name}: {e.Message} (please report this)";
            log.Error(ErrorId.InternalError, msg);
            console.Dispose();
            log.Exit("engine-error", 7, msg);
            return 7;
        }
        finally
        {
            console.RestoreTerminal();
            machine?.Dispose();
        }
    }

    private static int Run(Options opts, EventLog log, StdioConsole console, Action<Machine> started, Func<VmExit?> early)
    {
        var cfg = new VmConfig(opts.MemoryMiB, opts.Cpus, opts.Kernel, opts.Initrd, opts.CommandLine,
            opts.OnReboot == RebootPolicy.Restart)
        {
            Disks = opts.Blocks.Select(b => new DiskConfig(b.Path, b.ReadOnly)).ToList(),
            Rng = opts.Rng,
            Nets = opts.Tunnets.Select(t => new NetConfig(t.Address, t.Bridge, t.Mac)).ToList(),
            HostQuirks = opts.HostQuirks,
        };
        // Checked first: a typo in --username or --chroot costs nothing.
        var user = opts.Username is null ? null : PrivilegeDrop.Resolve(opts.Username);
        string? jail = opts.Chroot is null ? null : PrivilegeDrop.CheckChroot(opts.Chroot);
        var machine = new Machine(cfg, console);
        started(machine);
        using var kvm = KvmSystem.Open();
        PrivilegeDrop.Apply(jail, user); // everything is open; nothing below opens a file
        if (KvmSystem.IsPvmHost)
            Log.Verbose("this host's KVM is PVM (software-only): guest code runs in KVM's instruction emulator");
        if (early() is { } stopped) machine.Stop(stopped);
        machine.Rebooted = log.Reboot;
        console.StartInput(machine.DeliverInput, () =>
        {
            console.Release();
            machine.Stop(new VmExit(ExitKind.ConsoleInterrupt, "three ^C on the console: stopping the guest"));
        });
        log.Ready(opts.MemoryMiB, opts.Cpus, opts.Kernel, machine.KernelFormat, machine.CommandLine, ["serial", .. machine.DeviceNames], KvmSystem.IsPvmHost);
        var exit = machine.Run(kvm);
        console.Dispose();
        log.Exit(exit.Reason, exit.Code, exit.Message);
        return exit.Code;
    }
}
