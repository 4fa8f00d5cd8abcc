namespace LguestPS.Contract;

/// <summary>What a guest reboot does (--on-reboot=restart|exit).</summary>
public enum RebootPolicy
{
    /// <summary>Start the guest again in the same process, as the seed did (the default).</summary>
    Restart,
    /// <summary>End the engine with exit reason `reboot` and code 0.</summary>
    Exit,
}
