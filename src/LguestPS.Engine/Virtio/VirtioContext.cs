using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio;

/// <summary>What an active device may use.</summary>
public sealed class VirtioContext(GuestMemory memory, IReadOnlyList<Virtqueue> queues, ulong features,
    Action<int> interrupt, DeviceWorker worker)
{
    public GuestMemory Memory { get; } = memory;
    public IReadOnlyList<Virtqueue> Queues { get; } = queues;
    /// <summary>The features both sides agreed on.</summary>
    public ulong Features { get; } = features;
    /// <summary>Interrupts the driver for queue n (it decides nothing: call it when NeedsInterrupt says so).</summary>
    public Action<int> Interrupt { get; } = interrupt;
    /// <summary>The device's thread: watch extra file descriptors on it.</summary>
    public DeviceWorker Worker { get; } = worker;

    public bool Has(int feature) => (Features & VirtioFeatures.Bit(feature)) != 0;
}
