namespace LguestPS.Session;

/// <summary>How Start-LguestVm wants a VM run; the VM itself says what runs.</summary>
internal sealed class VmRunOptions
{
    /// <summary>Ask the engine for its diagnostics too (--verbose): Start-LguestVm -Verbose.</summary>
    internal bool Verbose { get; set; }
}
