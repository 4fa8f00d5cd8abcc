namespace LguestPS.Engine.Vmm;

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

    /*
     * The stop action runs before the waiter is let go: the waiter tears the
     * vCPUs down as soon as Wait returns, and a kick landing on a vCPU it has
     * already unmapped was a NullReferenceException on the signal thread
     * (SIGTERM during a reboot, seen under a slow nested KVM).
     */
    public bool TrySet(VmExit exit)
    {
        if (Interlocked.CompareExchange(ref _exit, exit, null) != null) return false;
        _onStop?.Invoke();
        _set.Set();
        return true;
    }

    public VmExit Wait()
    {
        _set.Wait();
        return _exit!;
    }
}
