using System.Diagnostics;
using LguestPS.Contract;
using LguestPS.Engine.Boot;
using LguestPS.Engine.Chardev;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Platform;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Block;
using LguestPS.Engine.Virtio.Console;
using LguestPS.Engine.Virtio.Net;
using LguestPS.Engine.Virtio.Rng;

namespace LguestPS.Engine.Vmm;

/*L:600
 * A Machine is the whole guest: RAM, the kernel and initrd we loaded once,
 * and for each boot a fresh KVM VM with its board of devices and vCPU
 * threads. The seed rebooted by exec'ing itself; we rebuild in-process
 * instead, because after --chroot and --username we could not reopen
 * /dev/kvm, the kernel or the disks. Files and RAM survive a reboot; RAM is
 * scrubbed to zero, as a real reset would leave it indistinguishable from.
 */
public sealed class Machine : IDisposable
{
    private readonly VmConfig _cfg;
    private KvmSystem? _kvm;
    private BootPlan _plan;
    private readonly ConsoleMux _console = null!;
    private readonly List<IVirtioDevice> _devices = new();
    private readonly List<BlockDevice> _disks = new();
    private readonly List<NetDevice> _nets = new();
    private readonly KernelImage _kernel = null!;
    private readonly InitrdImage? _initrd;
    private readonly GuestMemory _mem = null!;
    private kvm_cpuid_entry2[] _cpuid = [];
    private StopLatch _stop = new();
    private volatile VmExit? _external;
    private volatile bool _endAtReboot;
    // The boot in progress, for the control operations; null between boots. Under _control.
    private readonly object _control = new();
    private Running? _now;
    private Paused? _paused;
    private readonly bool _pvm;
    private readonly string _cmdline = "";

    /// <summary>The kernel's format, as the ready event names it.</summary>
    public string KernelFormat => _kernel.Format == Boot.KernelFormat.Elf ? Events.Ready.Formats.Elf : Events.Ready.Formats.BzImage;

    /// <summary>The command line the kernel actually gets (with any host quirks).</summary>
    public string CommandLine => _cmdline;
    public int Boots { get; private set; }

    /// <summary>Called after each guest reboot that we turn into a restart: (reason, reboots so far).</summary>
    public Action<string, int>? Rebooted { get; set; }

    /// <summary>Called when the guest reports a kernel panic: (its console line or "", whether a crash kernel takes over).</summary>
    public Action<string, bool>? Panicked { get; set; }

    /// <summary>Called when the guest signals the boot timer (Platform.BootTimerPort): (time since power-on, boot number).</summary>
    public Action<TimeSpan, int>? BootTimed { get; set; }

    /// <summary>Opens and checks everything the guest needs (kernel, initrd, RAM) before any KVM is involved.</summary>
    public Machine(VmConfig cfg, IConsoleSink console)
    {
        if (Log.IsVerbose) Sys.KeepStatusOpen(); // for the peak RSS Finish reports, before any sandbox
        _cfg = cfg;
        _cmdline = cfg.CommandLine;
        ulong bytes = cfg.MemoryMiB << 20;
        int devices = cfg.Disks.Count + (cfg.Rng ? 1 : 0) + cfg.Nets.Count;
        if (devices > Limits.MaxDevices) // before any file is opened or tap made
            throw new EngineException(ErrorId.InvalidArgument, $"{devices} devices: lguest gives a guest at most {Limits.MaxDevices} besides its console");
        try
        {
            HostMemory.CheckFits(cfg.MemoryMiB);
            _kernel = KernelImage.Open(cfg.KernelPath);
            _kernel.CheckFits(bytes);
            _initrd = cfg.InitrdPath is null ? null : InitrdImage.Open(cfg.InitrdPath);
            // The seed's device model: the console always, as device 1; then disks and the rng, in order.
            var hvc = new ConsoleDevice(console);
            _console = new ConsoleMux(console, hvc);
            hvc.Output = _console.VirtioSink;
            _devices.Add(hvc);
            foreach (var d in cfg.Disks)
            {
                var disk = BlockDevice.Open(d.Path, d.ReadOnly, _disks.Select(x => x.File));
                _disks.Add(disk);
                _devices.Add(disk);
            }
            if (cfg.Rng) _devices.Add(new RngDevice());
            foreach (var n in cfg.Nets)
            {
                var net = NetDevice.Create(n.Address, n.Bridge, n.Mac);
                _nets.Add(net);
                _devices.Add(net);
            }
            _mem = new GuestMemory(bytes);
            _pvm = cfg.HostQuirks && KvmSystem.IsPvmHost;
            var quirks = HostQuirks.KernelArgs(_pvm, _kernel.IsLinux);
            if (quirks.Count > 0)
            {
                // Ours go first, so anything the user wrote on the same subject wins (the kernel takes the last).
                _cmdline = string.Join(' ', [.. quirks, cfg.CommandLine]).TrimEnd();
                Log.Verbose($"PVM host: adding '{string.Join(' ', quirks)}' to the kernel command line (--no-host-quirks to stop)");
            }
            // Loaded now, so a kernel or initrd that cannot fit is reported before anything runs; the first
            // boot finds it in place, and each reboot loads it again into scrubbed RAM.
            _plan = LoadImage();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Device names in PCI slot order, for the ready event.</summary>
    public IEnumerable<string> DeviceNames => [.. _devices.Select(d => d.Name), Events.Ready.DeviceNames.PvPanic];

    private BootPlan LoadImage() => BootLoader.Load(_mem, _kernel, _initrd, _cmdline, _cfg.Cpus, PciIntx.GsiFor);

    /// <summary>True when the host's KVM is software-only (PVM): see HostQuirks.</summary>
    public static bool IsPvmHost => KvmSystem.IsPvmHost;

    /// <summary>
    /// Opens /dev/kvm and checks it can run this guest. Separate from the constructor, so that bad input is
    /// reported on a host without KVM, and so the caller can drop privileges after it and before Run.
    /// </summary>
    public void OpenKvm()
    {
        _kvm = KvmSystem.Open();
        int max = _kvm.MaxVcpus;
        if (_cfg.Cpus > max)
            throw new EngineException(ErrorId.InvalidArgument, $"--cpus={_cfg.Cpus} is more than this host's KVM allows ({max})");
        _cpuid = HostQuirks.FilterCpuid(_kvm.SupportedCpuid(), _pvm);
        if (KvmSystem.IsPvmHost)
            Log.Verbose("this host's KVM is PVM (software-only): guest code runs in KVM's instruction emulator");
    }

    /// <summary>Runs the guest (OpenKvm first), through as many reboots as the policy allows, and says why it ended.</summary>
    public VmExit Run()
    {
        if (_kvm is null) throw new InvalidOperationException("Machine.Run before OpenKvm");
        KickSignal.Install();
        while (true)
        {
            var exit = BootOnce();
            if (_external is { } ext) return Finish(ext);
            if (!exit.IsReboot || !_cfg.RestartOnReboot) return Finish(exit);
            if (_endAtReboot)
            {
                Log.Verbose("the guest rebooted after Ctrl+Alt+Del asked it to shut down: the VM ends instead of restarting");
                return Finish(exit);
            }
            Boots++;
            Rebooted?.Invoke(exit.RebootCause, Boots);
            _mem.Discard();
            _plan = LoadImage();
        }
    }

    private VmExit Finish(VmExit exit)
    {
        if (Log.IsVerbose)
        {
            foreach (var d in _devices)
                if (d is IDeviceStats s) Log.Verbose($"{d.Name}: {s.Stats}");
            ulong hwm = Sys.PeakRssKiB(), guest = _mem.ResidentBytes() / 1024;
            Log.Verbose($"host memory: peak RSS {hwm} KiB, of which guest RAM {guest} KiB, VMM {hwm - Math.Min(hwm, guest)} KiB");
        }
        return exit;
    }

    /// <summary>Stops the guest from outside (a signal, the console's ^C^C^C). The first reason wins.</summary>
    public void Stop(VmExit exit)
    {
        _external ??= exit;
        _stop.TrySet(exit);
        _console.Wake();
    }

    /*
     * The two ways to ask a guest to shut down. Each is only worth trying if
     * the guest listens: an ACPI OS unmasks the GED's interrupt when its
     * driver binds, a keyboard driver unmasks IRQ 1. Until then the pin is
     * masked, as the IOAPIC comes out of reset, and a press would go
     * nowhere, so we say so and the caller can try the other way or give up
     * at once instead of waiting for a shutdown that will not come.
     */
    /// <summary>Presses the guest's ACPI power button. Throws EngineException when nothing in the guest would hear it.</summary>
    public void PressPowerButton()
    {
        lock (_control)
        {
            var now = Current("press the power button");
            if (now.Vm.IsIoApicPinMasked(Layout.GedIrq))
                throw new EngineException(ErrorId.InvalidArgument,
                    "the guest does not listen to its ACPI power button (no ACPI, or its GED interrupt is masked)");
            now.Board.Power.PressPowerButton();
        }
    }

    /// <summary>
    /// Types Ctrl+Alt+Del on the guest's PS/2 keyboard, and the reboot it leads to ends the VM (a shutdown was asked
    /// for, as Firecracker's SendCtrlAltDel). Throws EngineException when no keyboard driver listens.
    /// </summary>
    public void CtrlAltDel()
    {
        lock (_control)
        {
            var now = Current("type Ctrl+Alt+Del");
            if (now.Vm.IsIoApicPinMasked(Layout.I8042KeyboardIrq))
                throw new EngineException(ErrorId.InvalidArgument,
                    "the guest does not listen to its PS/2 keyboard (no i8042 driver, or IRQ 1 is masked)");
            _endAtReboot = true;
            now.Board.Keyboard.TypeCtrlAltDel();
        }
    }

    /*
     * Pause freezes the vCPUs (PauseGate) and then the guest's clock: the
     * kvmclock is read once every vCPU is out, and written back on resume,
     * so the guest's idea of time since boot skips the pause instead of
     * leaping over it (its watchdogs would otherwise see every CPU stuck for
     * as long as the pause lasted). Devices need no telling: without a
     * running vCPU nobody kicks a queue, and the console goes quiet.
     * Both are idempotent: a pause of a paused guest is no error.
     */
    /// <summary>Pauses the guest; false if it already was. Throws EngineException between boots.</summary>
    public bool Pause()
    {
        lock (_control)
        {
            if (_paused is not null) return false;
            var now = Current("pause");
            if (!now.Gate.Shut(() => { foreach (var v in now.Vcpus) v.Kick(); }))
                throw new EngineException(ErrorId.InvalidArgument, "cannot pause: the guest is stopping");
            ulong? clock = null;
            try { clock = now.Vm.GetClock(); }
            catch (SysException e) { Log.Warning($"pause: the guest's clock cannot be read ({e.Message}); it will leap over the pause"); }
            _paused = new Paused(clock, Stopwatch.StartNew());
            return true;
        }
    }

    /// <summary>Resumes a paused guest and says for how long it was paused; null if it was not paused.</summary>
    public TimeSpan? Resume()
    {
        lock (_control)
        {
            if (_paused is not { } p) return null;
            _paused = null;
            if (_now is { } now)
            {
                if (p.Clock is ulong clock)
                {
                    try { now.Vm.SetClock(clock); }
                    catch (SysException e) { Log.Warning($"resume: the guest's clock cannot be set ({e.Message}); it leaps over the pause"); }
                }
                foreach (var v in now.Vcpus) v.MarkClockStopped(); // a guest on the TSC clock sees the gap: its watchdog is told why
                now.Gate.Open();
            }
            return p.Since.Elapsed;
        }
    }

    private Running Current(string what) => _now ??
        throw new EngineException(ErrorId.InvalidArgument, $"cannot {what}: the guest is between two boots or stopping; try again");

    /// <summary>What the control operations reach in the boot in progress.</summary>
    private sealed record Running(KvmVm Vm, Board Board, IReadOnlyList<KvmVcpu> Vcpus, PauseGate Gate);

    /// <summary>A pause: the guest's clock when it froze (null if KVM would not say), and since when.</summary>
    private sealed record Paused(ulong? Clock, Stopwatch Since);

    /// <summary>Hands console input to the guest (the console it last spoke on), waiting rather than dropping bytes.</summary>
    public void DeliverInput(ReadOnlySpan<byte> data) => _console.Deliver(data, () => _external is not null);

    private VmExit BootOnce()
    {
        var stop = new StopLatch();
        _stop = stop;
        if (_external is { } ext) return ext;

        using var vm = _kvm!.CreateVm();
        vm.SetMemory(_mem);
        vm.CreatePlatform();
        vm.SetIoApicId(MpTable.IoApicId(_cfg.Cpus));
        var plan = _plan;

        using var board = new Board(vm, _mem, _console, stop, _devices, events => OnPvPanic(stop, events));
        _console.Attach(board.Serial);
        int boot = Boots;
        var timer = new BootTimerPort(t => BootTimed?.Invoke(t, boot));
        board.Io.Register(BootTimer.Port, 1, "boot timer", timer);

        var vcpus = new List<KvmVcpu>();
        var threads = new List<Thread>();
        try
        {
            for (int id = 0; id < _cfg.Cpus; id++)
            {
                var vcpu = vm.CreateVcpu(id);
                vcpus.Add(vcpu);
                CpuSetup.InitCommon(vcpu, CpuSetup.CpuidFor(_cpuid, id, _cfg.Cpus));
                if (id == 0) CpuSetup.InitBoot(vcpu, plan.Cpu);
            }
            var gate = new PauseGate(vcpus.Count, shut: false);
            stop.OnStop(() =>
            {
                gate.Release();
                foreach (var v in vcpus) v.Kick();
            });
            lock (_control) _now = new Running(vm, board, vcpus, gate);
            timer.PowerOn();
            foreach (var vcpu in vcpus)
            {
                var runner = new VcpuRunner(vcpu, board.Io, board.Mmio, _mem, stop, gate);
                var t = new Thread(runner.Run) { IsBackground = true, Name = $"vcpu{vcpu.Id}" };
                threads.Add(t);
                t.Start();
            }
            var exit = stop.Wait();
            // A vCPU may be between its stop check and KVM_RUN when the kick lands; immediate_exit covers
            // that, and we kick again until every thread is out.
            foreach (var t in threads)
                while (!t.Join(50))
                    foreach (var v in vcpus) v.Kick();
            return exit;
        }
        finally
        {
            lock (_control) _now = null;
            _console.Attach(null);
            foreach (var v in vcpus) v.Dispose();
        }
    }

    /*
     * What the guest said through pvpanic. A panic ends the VM at once, as a
     * failure, whatever panic= the kernel was given: a kernel without one
     * would otherwise sit there for ever, and one that reboots would look like
     * a clean reboot. The console line is already ours (see PanicLine). A
     * crash kernel taking over is only reported: the guest carries on. A
     * regular shutdown (newer kernels say so just before they power off) is
     * a power-off, which also ends a guest that has no ACPI to power off with.
     */
    private void OnPvPanic(StopLatch stop, byte events)
    {
        string? line = _console.PanicLine;
        if ((events & PvPanicDevice.Panicked) != 0)
        {
            Panicked?.Invoke(line ?? "", false);
            stop.TrySet(new VmExit(ExitReason.Panic, line is null ? "the guest kernel panicked" : $"the guest kernel panicked: {line}"));
        }
        else if ((events & PvPanicDevice.CrashLoaded) != 0)
        {
            Panicked?.Invoke(line ?? "", true);
            Log.Warning($"the guest kernel panicked and its crash kernel takes over{(line is null ? "" : ": " + line)}");
        }
        else if ((events & PvPanicDevice.Shutdown) != 0)
            stop.TrySet(new VmExit(ExitReason.PowerOff, "the guest powered off (pvpanic shutdown)"));
    }

    /// <summary>Flushes and closes the disks, and gives back RAM. Every exit path comes through here.</summary>
    public void Dispose()
    {
        foreach (var d in _disks) d.Dispose();
        foreach (var n in _nets) n.Dispose(); // the taps vanish with their descriptors
        _kvm?.Dispose();
        _mem?.Dispose();
        _kernel?.Dispose();
        _initrd?.Dispose();
    }
}
