namespace LguestPS.Contract;

/// <summary>What an engine exit means to whoever started it (the module's job state follows it).</summary>
public enum ExitOutcome
{
    /// <summary>The guest ended itself the way it meant to: power-off, or a reboot under --on-reboot=exit.</summary>
    Clean,
    /// <summary>Someone outside the guest stopped it: a signal, three ^C on the console.</summary>
    Stop,
    /// <summary>Bad input, KVM, the guest or the engine failed; an error says why.</summary>
    Failure,
}
