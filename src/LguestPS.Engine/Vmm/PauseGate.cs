namespace LguestPS.Engine.Vmm;

/*L:670
 * Pausing a VM is holding every vCPU outside KVM_RUN. Each vCPU thread
 * passes this gate before it enters the guest; while the gate is shut it
 * waits there instead. Shutting the gate is not enough on its own (a vCPU
 * may sit in KVM_RUN for ever, halted in the guest's idle loop), so whoever
 * shuts it kicks every vCPU and then waits until all of them stand at the
 * gate: only then is the guest really frozen, and only then may its clock
 * be read. A stop opens the gate for good, so a paused VM can still be
 * stopped.
 */
public sealed class PauseGate
{
    private readonly object _lock = new();
    private readonly int _vcpus;
    private int _waiting;
    private bool _shut, _released;

    public PauseGate(int vcpus, bool shut)
    {
        _vcpus = vcpus;
        _shut = shut;
    }

    public bool IsShut
    {
        get { lock (_lock) return _shut; }
    }

    /// <summary>
    /// A vCPU thread's check before KVM_RUN: returns at once while the gate is open, else waits until it
    /// opens or the VM stops. <paramref name="unkick"/> runs after a wait, before the guest is entered again.
    /// </summary>
    public void Pass(Action unkick)
    {
        if (!Volatile.Read(ref _shut)) return;
        lock (_lock)
        {
            if (!_shut || _released) return;
            _waiting++;
            Monitor.PulseAll(_lock);
            while (_shut && !_released) Monitor.Wait(_lock);
            _waiting--;
        }
        unkick();
    }

    /// <summary>Shuts the gate, kicks the vCPUs out of the guest and waits until every one waits here. False if the VM stopped first.</summary>
    public bool Shut(Action kick)
    {
        lock (_lock)
        {
            if (_released) return false;
            Volatile.Write(ref _shut, true);
        }
        kick();
        lock (_lock)
        {
            while (_waiting < _vcpus && !_released) Monitor.Wait(_lock);
            return !_released;
        }
    }

    /// <summary>Opens the gate: the waiting vCPUs enter the guest again.</summary>
    public void Open()
    {
        lock (_lock)
        {
            Volatile.Write(ref _shut, false);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>The VM stops: nobody waits here any more, now or later.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _released = true;
            Monitor.PulseAll(_lock);
        }
    }
}
