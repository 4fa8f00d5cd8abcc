namespace LguestPS.Engine.Vmm;

/// <summary>Every way a VM can end. Each has its own exit code and reason word (docs/engine.md).</summary>
public enum ExitKind
{
    PowerOff,
    Reset,
    TripleFault,
    EmulationFailure,
    InternalError,
    KvmError,
    BadDriver,
    EngineError,
    ConsoleInterrupt,
    SigInt,
    SigTerm,
}

/// <summary>Why the VM stopped, in one line a user can act on.</summary>
public sealed record VmExit(ExitKind Kind, string Message)
{
    /// <summary>The process exit code for this kind of exit (the one table that maps them; docs/engine.md repeats it).</summary>
    public int Code => Kind switch
    {
        ExitKind.PowerOff or ExitKind.Reset => 0,
        ExitKind.KvmError => 3,
        ExitKind.TripleFault => 4,
        ExitKind.EmulationFailure or ExitKind.InternalError => 5,
        ExitKind.BadDriver => 6,
        ExitKind.EngineError => 7,
        ExitKind.ConsoleInterrupt => 8,
        ExitKind.SigInt => 130,
        ExitKind.SigTerm => 143,
        _ => 7,
    };

    /// <summary>The reason word of the JSON exit event.</summary>
    public string Reason => Kind switch
    {
        ExitKind.PowerOff => "poweroff",
        ExitKind.Reset => "reboot",
        ExitKind.TripleFault => "triple-fault",
        ExitKind.EmulationFailure => "emulation-failure",
        ExitKind.InternalError => "internal-error",
        ExitKind.KvmError => "kvm-error",
        ExitKind.BadDriver => "bad-driver",
        ExitKind.EngineError => "engine-error",
        ExitKind.ConsoleInterrupt => "console-interrupt",
        ExitKind.SigInt => "sigint",
        ExitKind.SigTerm => "sigterm",
        _ => "engine-error",
    };

    /// <summary>Exits that a reboot policy may turn into a restart.</summary>
    public bool IsReboot => Kind is ExitKind.Reset or ExitKind.TripleFault;
}

/// <summary>
/// The first reason to stop wins: a vCPU that triple-faults while another is
/// being reset, or a signal arriving mid-reboot, must not overwrite it.
/// </summary>
public sealed class StopLatch
{
    private VmExit? _exit;
    private readonly ManualResetEventSlim _set = new();
    private Action? _onStop;

    public VmExit? Exit => Volatile.Read(ref _exit);
    public bool IsSet => _set.IsSet;

    /// <summary>Something to run once, when the first stop arrives (kicking the vCPUs).</summary>
    public void OnStop(Action a) => _onStop = a;

    public bool TrySet(VmExit exit)
    {
        if (Interlocked.CompareExchange(ref _exit, exit, null) != null) return false;
        _set.Set();
        _onStop?.Invoke();
        return true;
    }

    public VmExit Wait()
    {
        _set.Wait();
        return _exit!;
    }
}
