using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Linq;

namespace LguestPS;

/// <summary>
/// A virtual machine of this PowerShell session: what New-LguestVm and the
/// Add-Lguest* cmdlets built, and the state of its engine process while it runs.
/// </summary>
public sealed class LguestVm
{
    private readonly List<LguestDevice> _devices = new();

    internal LguestVm(string name, int memoryMB, int cpus, string kernel, string? initrd, string kernelArguments,
        LguestRebootAction onReboot, string? userName, string? chrootPath, bool hostQuirks = true, bool sandbox = true)
    {
        HostQuirks = hostQuirks;
        Sandbox = sandbox;
        Name = name;
        MemoryMB = memoryMB;
        Cpus = cpus;
        Kernel = kernel;
        Initrd = initrd;
        KernelArguments = kernelArguments;
        OnReboot = onReboot;
        UserName = userName;
        ChrootPath = chrootPath;
    }

    /// <summary>The VM's name, unique in the session.</summary>
    public string Name { get; }

    /// <summary>
    /// The name again, under the name Hyper-V gives it: a VM piped to a
    /// cmdlet binds its -VMName by this property, as a Hyper-V VM does.
    /// </summary>
    public string VMName => Name;

    /// <summary>A unique id, for telling apart two VMs of the same name from different sessions.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Guest RAM in MiB.</summary>
    public int MemoryMB { get; }

    /// <summary>Number of virtual CPUs.</summary>
    public int Cpus { get; }

    /// <summary>Full path of the kernel: an x86-64 bzImage or ELF vmlinux.</summary>
    public string Kernel { get; }

    /// <summary>Full path of the initial RAM disk, if any.</summary>
    public string? Initrd { get; }

    /// <summary>The kernel command line.</summary>
    public string KernelArguments { get; }

    /// <summary>What a guest reboot does: boot again (Restart) or end the VM (Exit).</summary>
    public LguestRebootAction OnReboot { get; }

    /// <summary>The user the engine becomes once its files and devices are open, if any.</summary>
    public string? UserName { get; }

    /// <summary>The directory the engine chroots into once its files and devices are open, if any.</summary>
    public string? ChrootPath { get; }

    /// <summary>
    /// Whether the engine adapts the guest to a software-only KVM host (PVM):
    /// on such hosts it hides CPU features the emulator cannot run (docs/engine.md, "Host quirks").
    /// </summary>
    public bool HostQuirks { get; }

    /// <summary>
    /// Whether the engine confines itself to a seccomp allowlist once the VM is set up (docs/engine.md, "Sandbox").
    /// On unless New-LguestVm -NoSandbox.
    /// </summary>
    public bool Sandbox { get; }

    /// <summary>
    /// The devices, in the order they were added. The guest finds the disks
    /// first, then the entropy device, then the networks (docs/engine.md,
    /// "Devices"), each kind in this order.
    /// </summary>
    public ReadOnlyCollection<LguestDevice> Devices
    {
        get { lock (_devices) return _devices.ToList().AsReadOnly(); }
    }

    /*
     * What the VM's current run says about it. Only that run writes these
     * (Session/VmRun), so a VM knows nothing of runs, processes or jobs.
     */

    /// <summary>Off, Starting, Running, Stopping or Failed.</summary>
    public LguestVmState State { get; internal set; }

    /// <summary>The engine's process id while it runs.</summary>
    public int? ProcessId { get; internal set; }

    /// <summary>How long the current run has lasted (or the last one lasted).</summary>
    public TimeSpan Uptime => RunClock?.Elapsed ?? TimeSpan.Zero;

    /// <summary>
    /// Power-on to userspace for the latest boot of the current (or last) run, as the engine's boot timer
    /// measured it (docs/engine.md "Boot timer"); null until the guest signals it, and for guests that never do.
    /// </summary>
    public TimeSpan? BootTime { get; internal set; }

    /// <summary>Why the last run ended (the engine's exit reason: poweroff, reboot, sigterm, triple-fault...).</summary>
    public string? ExitReason { get; internal set; }

    /// <summary>The engine's exit code for the last run (docs/engine.md "Exit codes").</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>The current or last run's clock: it runs from the engine's start until it is reaped.</summary>
    internal Stopwatch? RunClock { get; set; }

    /// <summary>Set by Remove-LguestVm: the VM is no longer in its session.</summary>
    internal bool Removed { get; set; }

    internal bool IsActive => State is LguestVmState.Starting or LguestVmState.Running or LguestVmState.Stopping;

    internal void AddDevice(LguestDevice device)
    {
        lock (_devices) _devices.Add(device);
    }

    public override string ToString() => Name;
}
