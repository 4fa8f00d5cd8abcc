using LguestPS.Engine.Memory;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/// <summary>
/// A device activated on rings a fake driver built in plain memory: no KVM, no
/// PCI. Tests post chains, call Process as the worker would, and read the used ring.
/// </summary>
internal sealed class DeviceHarness : IDisposable
{
    public GuestMemory Mem { get; } = new(4 << 20);
    public FakeDriver[] Drivers { get; }
    public List<int> Interrupts { get; } = new();
    public IVirtioDevice Device { get; }
    private readonly DeviceWorker _worker = new("test", _ => { });

    public DeviceHarness(IVirtioDevice device, bool eventIdx = false)
    {
        Device = device;
        Drivers = device.QueueMaxSizes.Select((max, i) => new FakeDriver(Mem, 16, 0x1000 + (ulong)i * 0x2000)).ToArray();
        var queues = Drivers.Select(d => d.CreateQueue(maxSize: 256, eventIdx: eventIdx)).ToArray();
        ulong features = device.Features | VirtioFeatures.Bit(VirtioFeatures.Version1) | VirtioFeatures.Bit(VirtioFeatures.IndirectDesc);
        device.Activate(new VirtioContext(Mem, queues, features, q => Interrupts.Add(q), _worker));
    }

    /// <summary>Posts a chain on queue q, lets the device serve it, and returns the used length.</summary>
    public uint Serve(int q, params Buf[] bufs)
    {
        Drivers[q].AddAndPublish(bufs);
        Device.Process(q);
        Assert.True(Drivers[q].TryTakeUsed(out _, out uint len), "the device did not return the buffer");
        return len;
    }

    public byte[] Bytes(ulong gpa, int len) => Mem.Slice(gpa, len).ToArray();

    public void Dispose()
    {
        Device.Reset();
        _worker.Dispose();
        Mem.Dispose();
    }
}
