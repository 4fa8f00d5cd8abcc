using LguestPS.Engine.Memory;
using static LguestPS.Engine.Tests.Virtio.Queue.FakeDriver;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/*
 * Issue 3 item 5: no allocation per request on the hot path. The whole
 * request cycle a device worker runs (pop, read a header, write a reply
 * through spans and copies, push, interrupt decision, notification dance)
 * must not allocate once the chain object exists.
 */
public sealed class AllocationTests : IDisposable
{
    private readonly GuestMemory _mem = new(1 << 20);
    public void Dispose() => _mem.Dispose();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void SteadyStateAllocatesNothing(bool eventIdx, bool indirect)
    {
        var drv = new FakeDriver(_mem, 64);
        var vq = drv.CreateQueue(eventIdx: eventIdx);
        var chain = vq.NewChain();
        Span<byte> reply = stackalloc byte[512];
        reply.Fill(0x5A);

        // Lay the chains out once; the loop only republishes heads, as a driver recycling buffers would.
        var heads = new ushort[8];
        for (int k = 0; k < heads.Length; k++)
        {
            ulong b = DataBase + 0x1000 * (ulong)k;
            ReadOnlySpan<Buf> bufs = [new Buf(b, 16), new Buf(b + 16, 500), new Buf(b + 0x400, 512, true), new Buf(b + 0x800, 1, true)];
            heads[k] = indirect ? drv.AddIndirect(TableBase + 0x100 * (ulong)k, bufs) : drv.AddChain(bufs);
        }

        void Cycle(Span<byte> reply)
        {
            for (int k = 0; k < heads.Length; k++) drv.Publish(heads[k]);
            do
            {
                vq.DisableNotifications();
                while (vq.TryPop(chain))
                {
                    chain.Reader.TryRead(out Int128 header);
                    for (var s = chain.Reader.GetSpan(); !s.IsEmpty; s = chain.Reader.GetSpan())
                        chain.Reader.Advance((uint)s.Length);
                    chain.Writer.Write(reply);
                    chain.Writer.TryWrite((byte)header);
                    vq.PushUsed(chain);
                }
                vq.NeedsInterrupt();
            } while (vq.EnableNotifications());
            while (drv.TryTakeUsed(out _, out _)) { }
        }

        for (int i = 0; i < 100; i++) Cycle(reply);      // warm up: JIT tiers, statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10000 / heads.Length; i++) Cycle(reply);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(513u, _mem.Read<uint>(drv.Used + 4 + 8 * (ulong)((drv.UsedIdx - 1) % 64) + 4));
    }
}
