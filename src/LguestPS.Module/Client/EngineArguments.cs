using System.Collections.Generic;
using LguestPS.Contract;

namespace LguestPS.Client;

/// <summary>What command line a VM becomes: the VM described in the contract's terms, formatted by the contract.</summary>
internal static class EngineArguments
{
    /// <summary>
    /// The engine's arguments for a VM. The kernel command line goes as one
    /// argument: the engine joins what follows the kernel with spaces, so one
    /// argument arrives exactly as the user wrote it, quotes and double spaces
    /// included.
    /// </summary>
    internal static List<string> For(LguestVm vm, bool verbose, string? controlSocket = null)
    {
        var cl = new EngineCommandLine
        {
            LogFormat = LogFormat.Json,
            Verbose = verbose,
            OnReboot = vm.OnReboot == LguestRebootAction.Exit ? RebootPolicy.Exit : RebootPolicy.Restart,
            Cpus = vm.Cpus,
            Initrd = vm.Initrd,
            Username = vm.UserName,
            Chroot = vm.ChrootPath,
            HostQuirks = vm.HostQuirks,
            Sandbox = vm.Sandbox,
            MemoryMiB = (ulong)vm.MemoryMB,
            Kernel = vm.Kernel,
            // The engine stops when this process ends, however it ends (EngineLauncher).
            ParentPid = Posix.GetProcessId(),
            Control = controlSocket,
        };
        foreach (var device in vm.Devices) device.AddTo(cl);
        if (!string.IsNullOrEmpty(vm.KernelArguments)) cl.KernelArgs.Add(vm.KernelArguments);
        return cl.ToArguments();
    }
}
