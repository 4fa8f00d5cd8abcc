
namespace LguestPS.Engine.Virtio;

/*L:470
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
