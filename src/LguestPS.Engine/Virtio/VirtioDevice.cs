using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Virtio;

/// <summary>Device types (virtio 1.x section 5) and their PCI device id: 0x1040 + type (section 4.1.2.1).</summary>
public enum VirtioDeviceType : ushort { Net = 1, Block = 2, Console = 3, Rng = 4 }

/// <summary>Feature bits every device shares (virtio 1.x section 6).</summary>
public static class VirtioFeatures
{
    public const int IndirectDesc = 28, EventIdx = 29, Version1 = 32;
    public static ulong Bit(int n) => 1UL << n;
}

/*L:310
 * What a device is, as the transport sees it: a name for messages, a type, the
 * features it offers, its queues and its configuration bytes. When the driver
 * says DRIVER_OK the transport activates it with a context that holds
 * everything it may touch: guest memory, its queues, an interrupt callback
 * and its worker thread. Never KVM, PCI or the VMM (STYLE.md rule 3), so a
 * device is the same whatever transport carries it, and tests can drive one
 * with a fake driver.
 */
public interface IVirtioDevice
{
    string Name { get; }
    VirtioDeviceType Type { get; }
    /// <summary>PCI class code and subclass (a hint for people reading lspci; drivers match on ids).</summary>
    (byte Class, byte Subclass) PciClass { get; }
    /// <summary>Device-specific feature bits; the transport adds VERSION_1, INDIRECT_DESC and EVENT_IDX.</summary>
    ulong Features { get; }
    /// <summary>The largest size of each queue (what queue_size offers).</summary>
    IReadOnlyList<ushort> QueueMaxSizes { get; }
    /// <summary>Bytes of device-specific configuration.</summary>
    int ConfigSize { get; }
    void ReadConfig(int offset, Span<byte> data);
    void WriteConfig(int offset, ReadOnlySpan<byte> data);
    /// <summary>The driver said DRIVER_OK: start serving (called on the vCPU thread, before the worker starts).</summary>
    void Activate(VirtioContext ctx);
    /// <summary>A queue was kicked, or the device asked for a call (on the worker thread).</summary>
    void Process(int queue);
    /// <summary>The driver reset the device; the worker has stopped. Back to power-on state.</summary>
    void Reset();
}

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

/// <summary>A device that can say what it did, for --verbose at exit (and tests that check a driver used it).</summary>
public interface IDeviceStats
{
    string Stats { get; }
}
