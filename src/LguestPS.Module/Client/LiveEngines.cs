using System;
using System.Collections.Generic;
using System.Linq;

namespace LguestPS.Client;

/*
 * Every engine this process started that still runs. No engine outlives its
 * owner: a runspace that closes stops its own VMs, PR_SET_PDEATHSIG covers a
 * PowerShell that is killed outright (EngineLauncher), and this covers the
 * middle case, a PowerShell that exits normally with VMs still running: on
 * the way out each engine gets SIGTERM, and SIGKILL if it is not gone soon.
 */
internal static class LiveEngines
{
    /// <summary>How long an exiting PowerShell waits for its engines to flush and go before killing them.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private static readonly HashSet<EngineSignals> Live = new();

    static LiveEngines()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    internal static void Add(EngineSignals engine)
    {
        lock (Live) Live.Add(engine);
    }

    internal static void Remove(EngineSignals engine)
    {
        lock (Live) Live.Remove(engine);
    }

    private static void StopAll()
    {
        EngineSignals[] live;
        lock (Live) live = Live.ToArray();
        foreach (var engine in live) engine.Terminate(ExitGrace);
        var deadline = DateTime.UtcNow + ExitGrace;
        foreach (var engine in live)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !engine.WaitReaped(left)) engine.Kill();
        }
    }
}
