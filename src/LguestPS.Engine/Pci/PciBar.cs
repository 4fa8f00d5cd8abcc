using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Pci;

/// <summary>A memory BAR: its size, who answers accesses to it, and where the guest has put it (0 = not decoding).</summary>
public sealed class PciBar
{
    public int Index { get; }
    public ulong Size { get; }
    public bool Is64 { get; }
    public IMmioDevice Device { get; }
    /// <summary>The guest-physical address the BAR currently decodes at, or 0 when it does not decode.</summary>
    public ulong MappedAt { get; internal set; }

    internal PciBar(int index, ulong size, bool is64, IMmioDevice device)
    {
        Index = index;
        Size = size;
        Is64 = is64;
        Device = device;
    }
}
