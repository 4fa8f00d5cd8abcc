namespace LguestPS;

/// <summary>Where a VM is in its life. A VM that ended is Off (or Failed) and can be started again.</summary>
public enum LguestVmState
{
    /// <summary>No engine process: never started, powered off, or stopped.</summary>
    Off,
    /// <summary>The engine process runs but has not reported the guest ready yet.</summary>
    Starting,
    /// <summary>The guest runs.</summary>
    Running,
    /// <summary>Suspended (Suspend-LguestVm): the vCPUs and the guest's clock are stopped until Resume-LguestVm.</summary>
    Paused,
    /// <summary>A stop was requested: the guest is asked to shut down, or the engine is flushing disks and exiting.</summary>
    Stopping,
    /// <summary>The last run ended in a failure: see ExitReason and the job's error.</summary>
    Failed,
}

/// <summary>What the engine does when the guest reboots (engine option --on-reboot).</summary>
public enum LguestRebootAction
{
    /// <summary>Boot the guest again, as the original lguest launcher did.</summary>
    Restart,
    /// <summary>End the VM: the job completes.</summary>
    Exit,
}
