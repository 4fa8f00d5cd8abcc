namespace LguestPS.Session;

/// <summary>How a run is stopped.</summary>
internal enum StopMode
{
    /// <summary>SIGTERM: the engine flushes its disks and exits; SIGKILL after VmRun.StopGrace if it does not.</summary>
    Terminate,
    /// <summary>SIGKILL at once, without a flush (Stop-LguestVm -TurnOff).</summary>
    Kill,
}
