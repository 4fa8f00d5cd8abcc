namespace LguestPS.Client;

/// <summary>What a run's end means for its job.</summary>
internal enum RunOutcome
{
    /// <summary>The guest powered off, or rebooted with -OnReboot Exit.</summary>
    Completed,
    /// <summary>Someone stopped it: Stop-LguestVm, Stop-Job, a signal, three ^C on the console.</summary>
    Stopped,
    /// <summary>The engine or the guest failed; an error says why.</summary>
    Failed,
}
