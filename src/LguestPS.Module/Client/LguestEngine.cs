using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace LguestPS.Client;

/// <summary>Where the engine binary is and what command line a VM becomes (docs/engine.md).</summary>
internal static class LguestEngine
{
    /// <summary>Names an engine binary to use instead of the one in the module folder.</summary>
    internal const string PathVariable = "LGUESTPS_ENGINE";

    /// <summary>The engine binary inside the module folder.</summary>
    internal static string BundledPath =>
        Path.Combine(Path.GetDirectoryName(typeof(LguestEngine).Assembly.Location) ?? ".", "bin", "lguest");

    /// <summary>$env:LGUESTPS_ENGINE when set, else bin/lguest beside the module.</summary>
    internal static string FindExecutable()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (File.Exists(fromEnv)) return Path.GetFullPath(fromEnv);
            throw LguestErrors.Fail("EngineNotFound",
                $"${PathVariable} names '{fromEnv}', which does not exist. Point it at a built lguest engine, or remove it to use the one in the module folder.");
        }
        string bundled = BundledPath;
        if (File.Exists(bundled)) return bundled;
        throw LguestErrors.Fail("EngineNotFound",
            $"The lguest engine is not at '{bundled}'. Build the module folder (./build.sh build, or ./build.ps1 in pwsh), or set ${PathVariable} to the engine's path.");
    }

    /// <summary>
    /// The engine's arguments for a VM. The kernel command line goes as one
    /// argument: the engine joins what follows the kernel with spaces, so one
    /// argument arrives exactly as the user wrote it, quotes and double spaces
    /// included.
    /// </summary>
    internal static List<string> BuildArguments(LguestVm vm, bool verbose)
    {
        var args = new List<string>
        {
            "--log-format=json",
            "--on-reboot=" + (vm.OnReboot == LguestRebootAction.Exit ? "exit" : "restart"),
            "--cpus=" + vm.Cpus.ToString(CultureInfo.InvariantCulture),
        };
        if (verbose) args.Add("--verbose");
        if (vm.Initrd != null) args.Add("--initrd=" + vm.Initrd);
        foreach (var device in vm.Devices) args.Add(device.EngineArgument);
        if (vm.UserName != null) args.Add("--username=" + vm.UserName);
        if (vm.ChrootPath != null) args.Add("--chroot=" + vm.ChrootPath);
        if (!vm.HostQuirks) args.Add("--no-host-quirks");
        args.Add(vm.MemoryMB.ToString(CultureInfo.InvariantCulture));
        args.Add(vm.Kernel);
        if (!string.IsNullOrEmpty(vm.KernelArguments)) args.Add(vm.KernelArguments);
        return args;
    }
}
