using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;
using static LguestPS.Engine.Tests.Virtio.Queue.FakeDriver;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/*
 * Both directions of suppression (§2.7.7 interrupts, §2.7.10 kicks), with and
 * without VIRTIO_F_EVENT_IDX, and the races they exist to close.
 */
public sealed class NotificationTests : IDisposable
{
    private readonly GuestMemory _mem = new(1 << 20);
    public void Dispose() => _mem.Dispose();

    private static void Serve(Virtqueue vq, DescChain chain, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(vq.TryPop(chain));
            vq.PushUsed(chain);
        }
    }

    private static void RoundTrips(FakeDriver drv, Virtqueue vq, DescChain chain, int count)
    {
        for (int i = 0; i < count; i++)
        {
            drv.AddAndPublish([new Buf(DataBase, 1)]);
            Serve(vq, chain, 1);
            vq.NeedsInterrupt();
            Assert.True(drv.TryTakeUsed(out _, out _));
        }
    }

    [Theory]
    [InlineData(0, 1, 0, true)]        // event 0, used 0 -> 1: passed it
    [InlineData(0, 2, 1, false)]       // already passed before
    [InlineData(4, 5, 2, true)]        // a batch over the event
    [InlineData(5, 5, 2, false)]       // event is the next one
    [InlineData(65535, 1, 65534, true)] // across the wrap
    [InlineData(0, 1, 65534, true)]
    [InlineData(2, 1, 65534, false)]
    [InlineData(100, 7, 7, false)]     // nothing moved
    public void NeedEventIsVringNeedEvent(int ev, int now, int old, bool expect) =>
        Assert.Equal(expect, VirtqAbi.NeedEvent((ushort)ev, (ushort)now, (ushort)old));

    [Fact]
    public void NoInterruptFlagSuppresses()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        Assert.False(vq.NeedsInterrupt());                  // nothing used yet
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);
        Assert.True(vq.NeedsInterrupt());
        Assert.False(vq.NeedsInterrupt());                  // already decided for that batch

        drv.NoInterrupt = true;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 2);
        Assert.False(vq.NeedsInterrupt());
        drv.NoInterrupt = false;
        Assert.False(vq.NeedsInterrupt());                  // that batch is settled; the next one asks again
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);
        Assert.True(vq.NeedsInterrupt());
    }

    [Fact]
    public void EventIdxInterruptsWhenUsedIndexPassesUsedEvent()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue(eventIdx: true);
        var chain = vq.NewChain();
        drv.NoInterrupt = true;                             // §2.7.7.2: ignored with event idx
        drv.UsedEvent = 0;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);
        Assert.True(vq.NeedsInterrupt());                   // used 0 -> 1 passes 0

        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);
        Assert.False(vq.NeedsInterrupt());                  // 1 -> 2, event still 0

        drv.UsedEvent = 4;
        for (int i = 0; i < 3; i++) drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 3);                                // 2 -> 5 passes 4
        Assert.True(vq.NeedsInterrupt());

        drv.UsedEvent = 7;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);                                // 5 -> 6
        Assert.False(vq.NeedsInterrupt());
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);                                // 6 -> 7: entry 6 written, not 7 yet
        Assert.False(vq.NeedsInterrupt());
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);                                // 7 -> 8: entry 7 written
        Assert.True(vq.NeedsInterrupt());
    }

    [Fact]
    public void EventIdxInterruptAcrossTheWrap()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue(eventIdx: true);
        var chain = vq.NewChain();
        drv.UsedEvent = 0xFFFF;
        RoundTrips(drv, vq, chain, 65533);                  // used idx 65533; event not reached
        for (int i = 0; i < 4; i++) drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 4);                                // 65533 -> 1 passes 65535
        Assert.True(vq.NeedsInterrupt());
        Assert.Equal((ushort)1, drv.UsedIdx);

        drv.UsedEvent = 0xFFFE;                             // behind us now: no interrupt until the next wrap
        RoundTrips(drv, vq, chain, 3);
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Serve(vq, chain, 1);
        Assert.False(vq.NeedsInterrupt());
    }

    [Fact]
    public void NoNotifyFlagWhileDraining()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        Assert.Equal(0, drv.UsedFlags);
        vq.DisableNotifications();
        Assert.Equal(VirtqAbi.VIRTQ_USED_F_NO_NOTIFY, drv.UsedFlags);
        ushort old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.False(drv.WouldKick(old, eventIdx: false));

        Assert.True(vq.EnableNotifications());              // the re-check finds the buffer
        Assert.Equal(0, drv.UsedFlags);
        Serve(vq, chain, 1);
        Assert.False(vq.EnableNotifications());             // empty: safe to sleep
        old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(drv.WouldKick(old, eventIdx: false));
    }

    [Fact]
    public void AvailEventWithEventIdx()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue(eventIdx: true);
        var chain = vq.NewChain();
        Assert.False(vq.EnableNotifications());
        Assert.Equal(0, drv.AvailEvent);
        ushort old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(drv.WouldKick(old, eventIdx: true));    // crossed avail_event 0

        vq.DisableNotifications();                          // §2.7.10.2: flags stay 0 with event idx
        Assert.Equal(0, drv.UsedFlags);
        Serve(vq, chain, 1);
        old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.False(drv.WouldKick(old, eventIdx: true));   // avail_event left behind: no kick

        Assert.True(vq.EnableNotifications());              // but the re-check sees it
        Serve(vq, chain, 1);
        Assert.False(vq.EnableNotifications());
        Assert.Equal(drv.AvailIdx, drv.AvailEvent);         // asks for a kick on the next entry
        old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(drv.WouldKick(old, eventIdx: true));
    }

    [Fact]
    public void AvailEventAcrossTheWrap()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue(eventIdx: true);
        var chain = vq.NewChain();
        RoundTrips(drv, vq, chain, 65535);
        Assert.False(vq.EnableNotifications());
        Assert.Equal(65535, drv.AvailEvent);
        ushort old = drv.AvailIdx;
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.Equal((ushort)1, drv.AvailIdx);
        Assert.True(drv.WouldKick(old, eventIdx: true));
    }

    /*
     * The real thing: a driver thread and a device worker sharing the ring,
     * each side suppressing the other's notifications as hard as it can,
     * kicks and interrupts carried by semaphores as eventfds would carry
     * them. A lost wake-up on either side shows up as a timeout.
     */
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DriverAndWorkerThreadsNeverMissAWakeup(bool eventIdx)
    {
        const int Requests = 40000;
        var drv = new FakeDriver(_mem, 16);
        var vq = drv.CreateQueue(eventIdx: eventIdx);
        using var kick = new SemaphoreSlim(0);
        using var irq = new SemaphoreSlim(0);
        var stop = false;
        Exception? workerFailure = null;

        var worker = new Thread(() =>
        {
            try
            {
                var chain = vq.NewChain();
                while (!Volatile.Read(ref stop))
                {
                    if (!kick.Wait(5_000)) throw new TimeoutException("worker missed a kick");
                    while (kick.Wait(0)) { }   // one eventfd read takes every kick so far
                    do
                    {
                        vq.DisableNotifications();
                        while (vq.TryPop(chain))
                        {
                            chain.Reader.TryRead(out int v);
                            chain.Writer.TryWrite(v + 1);
                            vq.PushUsed(chain);
                        }
                        if (vq.NeedsInterrupt()) irq.Release();
                    } while (vq.EnableNotifications());
                }
            }
            catch (Exception e) { workerFailure = e; irq.Release(); }
        });
        worker.Start();

        int completed = 0;
        void TakeCompletions(bool block)
        {
            while (true)
            {
                bool any = false;
                while (drv.TryTakeUsed(out _, out uint len)) { Assert.Equal(4u, len); completed++; any = true; }
                if (any || !block) return;
                // Spin a little first, as a busy driver would: it then publishes its next request
                // while the worker is still between draining and re-enabling kicks, the window
                // the re-check in EnableNotifications exists for.
                var spin = new SpinWait();
                for (int s = 0; s < 50 && drv.UsedIdx == drv.LastUsed; s++) spin.SpinOnce(sleep1Threshold: -1);
                if (drv.UsedIdx != drv.LastUsed) continue;
                // Arm interrupts, then look again before sleeping (the driver's half of the race).
                if (eventIdx) drv.UsedEvent = drv.LastUsed; else drv.NoInterrupt = false;
                Interlocked.MemoryBarrier();
                if (drv.UsedIdx == drv.LastUsed)
                {
                    Assert.True(irq.Wait(5_000), "driver missed an interrupt");
                    while (irq.Wait(0)) { }
                }
                Assert.Null(workerFailure);
                if (!eventIdx) drv.NoInterrupt = true;
            }
        }

        if (!eventIdx) drv.NoInterrupt = true;
        for (int n = 0; n < Requests; n++)
        {
            // Phases of ping-pong (one request in flight) and of bursts (half the ring, since each
            // request takes two descriptors).
            int limit = (n / 500) % 2 == 0 ? 1 : drv.Size / 2;
            while ((ushort)(drv.AvailIdx - drv.LastUsed) >= limit) TakeCompletions(block: true);
            ulong buf = DataBase + 8 * (ulong)(n % drv.Size);   // two descriptors a request: at most Size / 2 in flight
            _mem.Write(buf, n);
            ushort old = drv.AvailIdx;
            drv.AddAndPublish([new Buf(buf, 4), new Buf(buf + 4, 4, true)]);
            if (drv.WouldKick(old, eventIdx)) kick.Release();
            TakeCompletions(block: false);
        }
        while (completed < Requests) TakeCompletions(block: true);

        Volatile.Write(ref stop, true);
        kick.Release();
        Assert.True(worker.Join(5_000));
        Assert.Null(workerFailure);
        Assert.Equal(Requests, completed);
    }
}
