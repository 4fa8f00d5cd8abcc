using LguestPS.Engine.Bus;
using LguestPS.Engine.Chardev;

namespace LguestPS.Engine.Tests.Platform;

/// <summary>A console and an interrupt line for device tests: what was written, and every level the line was set to.</summary>
internal sealed class RecordingSink : IConsoleSink, IIrqLine
{
    public List<byte> Out { get; } = new();
    public List<bool> Irq { get; } = new();
    public void Write(ReadOnlySpan<byte> data) => Out.AddRange(data.ToArray());
    public void Set(bool high) => Irq.Add(high);
}
