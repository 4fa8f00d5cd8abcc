using LguestPS.Engine.Memory;
using static LguestPS.Engine.Tests.Virtio.Queue.FakeDriver;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/// <summary>PushUsed(publish: false) writes elements the driver cannot see until PublishUsed moves used->idx once.</summary>
public sealed class DeferredPublishTests : IDisposable
{
    private readonly GuestMemory _mem = new(1 << 20);
    public void Dispose() => _mem.Dispose();

    [Fact]
    public void ElementsAppearTogether()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var a = vq.NewChain();
        var b = vq.NewChain();
        drv.AddAndPublish([new Buf(DataBase, 64, true)]);
        drv.AddAndPublish([new Buf(DataBase + 64, 64, true)]);
        Assert.True(vq.TryPop(a));
        Assert.True(vq.TryPop(b));
        vq.PushUsed(a, 64, publish: false);
        vq.PushUsed(b, 10, publish: false);
        Assert.Equal(0, drv.UsedIdx);                          // written, not yet visible
        vq.PublishUsed();
        Assert.Equal(2, drv.UsedIdx);
        Assert.True(drv.TryTakeUsed(out uint id0, out uint len0));
        Assert.True(drv.TryTakeUsed(out uint id1, out uint len1));
        Assert.Equal((0u, 64u, 1u, 10u), (id0, len0, id1, len1));
        Assert.True(vq.NeedsInterrupt());                      // both count for the interrupt decision
    }
}
