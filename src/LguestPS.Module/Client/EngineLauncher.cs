using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace LguestPS.Client;

/*
 * Launching an engine: a child process with its three standard streams
 * redirected (docs/engine.md), whose process id is the engine's own.
 *
 * It goes through a few lines of perl (Essential in Debian) that exec the
 * engine in place, because two things must be true before the engine runs
 * and .NET's Process can do neither:
 * - a process group of its own, so a ^C typed in the terminal (which the
 *   terminal sends to its whole foreground process group: PowerShell and
 *   its children) does not kill VMs that run in the background;
 * - PR_SET_PDEATHSIG = SIGTERM, so the engine stops even when PowerShell
 *   dies without running any of our code (kill -9, a crash). The signal
 *   follows the thread that forked, not the process, which is why every
 *   engine is forked by one thread that lives as long as the process.
 * Not setsid: a new session gets a scheduler autogroup of its own and
 * started the engine 50-80 ms slower here. setsid (then nothing) is only
 * the fallback where perl is missing.
 */
internal static class EngineLauncher
{
    private const string Perl = "/usr/bin/perl";
    private static readonly string[] Setsid = { "/usr/bin/setsid", "/bin/setsid" };

    // prctl is system call 157 on x86-64 (the engine's only architecture); PR_SET_PDEATHSIG is 1, SIGTERM 15.
    // If PowerShell died before the prctl, getppid() no longer names it: give up rather than run orphaned.
    private const string Launcher =
        "my $owner = shift; setpgrp(0, 0); syscall(157, 1, 15); exit 143 if getppid() != $owner; " +
        "exec { $ARGV[0] } @ARGV or die \"lguest: cannot run $ARGV[0]: $!\\n\";";

    /// <summary>The one thread that forks engines (see above): it lives as long as the process.</summary>
    private static readonly BlockingCollection<Action> Spawns = StartSpawner();

    private static BlockingCollection<Action> StartSpawner()
    {
        var queue = new BlockingCollection<Action>();
        new Thread(() => { foreach (var spawn in queue.GetConsumingEnumerable()) spawn(); })
            { IsBackground = true, Name = "lguest engine spawner" }.Start();
        return queue;
    }

    /// <summary>
    /// Starts the engine with stdin, stdout and stderr redirected, and starts
    /// <paramref name="clock"/> as it forks, so times on the console and in
    /// events count from the engine's start. Throws EngineStartError.
    /// </summary>
    internal static Process Start(string enginePath, IReadOnlyList<string> arguments, Stopwatch clock)
    {
        if (!UnixAccess.CanExecute(enginePath))
            throw LguestErrors.Fail("EngineStartError", $"Cannot start the lguest engine '{enginePath}': it is not executable (chmod +x).");
        var process = new Process { StartInfo = StartInfo(enginePath, arguments) };
        Exception? failure = null;
        using (var started = new ManualResetEventSlim(false))
        {
            Spawns.Add(() =>
            {
                try
                {
                    clock.Start();
                    process.Start();
                }
                catch (Exception e) { failure = e; }
                finally { started.Set(); }
            });
            started.Wait();
        }
        if (failure == null) return process;
        process.Dispose();
        if (failure is Win32Exception or InvalidOperationException)
            throw LguestErrors.Fail("EngineStartError", $"Cannot start the lguest engine '{enginePath}': {failure.Message}", failure);
        throw failure;
    }

    private static ProcessStartInfo StartInfo(string enginePath, IReadOnlyList<string> arguments)
    {
        IEnumerable<string> argv;
        string file;
        if (File.Exists(Perl))
        {
            file = Perl;
            argv = new[] { "-e", Launcher, Posix.GetProcessId().ToString(CultureInfo.InvariantCulture), enginePath }.Concat(arguments);
        }
        else if (Setsid.FirstOrDefault(File.Exists) is string setsid)
        {
            file = setsid;
            argv = new[] { enginePath }.Concat(arguments);
        }
        else
        {
            file = enginePath;
            argv = arguments;
        }
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        AddArguments(psi, argv);
        return psi;
    }

    /// <summary>
    /// ProcessStartInfo.ArgumentList passes each argument verbatim (no quoting
    /// rules to get wrong for a kernel command line full of quotes). .NET
    /// Standard 2.0 does not declare it, but every runtime PowerShell 7 runs
    /// on has it.
    /// </summary>
    private static void AddArguments(ProcessStartInfo psi, IEnumerable<string> arguments)
    {
        var list = typeof(ProcessStartInfo).GetProperty("ArgumentList")?.GetValue(psi) as Collection<string>
            ?? throw new PlatformNotSupportedException("LguestPS needs PowerShell 7 (.NET with ProcessStartInfo.ArgumentList).");
        foreach (var a in arguments) list.Add(a);
    }
}
