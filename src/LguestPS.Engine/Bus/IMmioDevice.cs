
namespace LguestPS.Engine.Bus;

/// <summary>A device in guest-physical MMIO space. Offsets are relative to the region's base.</summary>
public interface IMmioDevice
{
    void Read(ulong offset, Span<byte> data);
    void Write(ulong offset, ReadOnlySpan<byte> data);
}
