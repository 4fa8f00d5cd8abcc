using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;

namespace LguestPS.Client;

/*
 * Launching an engine: a child process with its three standard streams
 * redirected (docs/engine.md), run directly (no shell, no helper), so its
 * process id is the engine's own.
 *
 * The engine must not outlive this PowerShell, even one killed outright
 * (kill -9 runs none of our code), and a ^C typed at the terminal is
 * PowerShell's to handle, not the background VMs'. The engine sees to both
 * itself when told who its parent is (--parent-pid, docs/engine.md "Running
 * under another program"): it arms PR_SET_PDEATHSIG, checks it was not
 * orphaned already, and leaves our process group. The kernel sends the death
 * signal when the *thread* that forked the child ends, not the process,
 * which is why every engine is forked by one thread that lives as long as
 * the process.
 */
internal static class EngineLauncher
{
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
        var psi = new ProcessStartInfo(enginePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        HostCommand.AddArguments(psi, arguments);
        return psi;
    }
}
