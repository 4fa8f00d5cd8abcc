using System.Management.Automation;

namespace LguestPS.Session;

/// <summary>
/// Who hears about a run: its job, or Start-LguestVm -Wait's feed. A run has
/// exactly one, given when it starts, and calls it one call at a time, in
/// the order things happened, from the run's own threads.
/// </summary>
internal interface IVmRunListener
{
    /// <summary>A console line (or a partial line's preview), before any pattern wait sees it.</summary>
    void OnConsoleLine(LguestConsoleLine line);

    /// <summary>What the engine said, as a VerboseRecord or a WarningRecord whose text names the VM.</summary>
    void OnDiagnostic(InformationalRecord record);

    /// <summary>The last call: the run has ended and its Outcome and Error are set.</summary>
    void OnEnded(VmRun run);
}
