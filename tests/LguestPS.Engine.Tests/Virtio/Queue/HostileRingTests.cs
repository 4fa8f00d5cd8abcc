using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;
using static LguestPS.Engine.Tests.Virtio.Queue.FakeDriver;
using static LguestPS.Engine.Virtio.Queue.VirtqAbi;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/*
 * A driver that breaks each rule of §2.7 in turn. Every case must end in a
 * VirtqueueViolation carrying the rule, leave the queue refusing further pops
 * until reset, and never let a GuestMemoryException (a touch outside RAM)
 * or anything else escape.
 */
public sealed class HostileRingTests : IDisposable
{
    private const ushort N = 8;
    private const ushort W = VIRTQ_DESC_F_WRITE, NX = VIRTQ_DESC_F_NEXT, IND = VIRTQ_DESC_F_INDIRECT;
    private const ulong Ram = 1 << 20;
    private readonly GuestMemory _mem = new(Ram);
    public void Dispose() => _mem.Dispose();

    private VirtqueueViolation Broken(Action<FakeDriver> misbehave, bool indirect = true, ushort maxSize = 0)
    {
        var drv = new FakeDriver(_mem, N);
        var vq = drv.CreateQueue(maxSize, indirect: indirect);
        var chain = vq.NewChain();
        misbehave(drv);
        var ex = Assert.Throws<VirtqueueViolation>(() => vq.TryPop(chain));
        Assert.False(string.IsNullOrEmpty(ex.Message));

        // The queue now refuses to serve, whatever the driver does next...
        Assert.True(vq.Broken);
        Assert.False(vq.TryPop(chain));
        Assert.False(vq.EnableNotifications());
        // ...until the device is reset and the queue set up again.
        vq.Reset();
        _mem.Clear(0, Ram);
        var fresh = new FakeDriver(_mem, N);
        vq.Size = N; vq.DescGpa = fresh.Desc; vq.AvailGpa = fresh.Avail; vq.UsedGpa = fresh.Used;
        vq.Enable();
        Assert.False(vq.Broken);
        fresh.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(vq.TryPop(chain));
        return ex;
    }

    private void Check(VqRule rule, Action<FakeDriver> misbehave, bool indirect = true, ushort maxSize = 0) =>
        Assert.Equal(rule, Broken(misbehave, indirect, maxSize).Rule);

    [Fact] public void AvailIndexJumpsPastTheRing() => Check(VqRule.AvailIndexJump, d => d.SetAvailIdx(N + 1));
    [Fact] public void AvailIndexGoesBackwards() => Check(VqRule.AvailIndexJump, d => d.SetAvailIdx(ushort.MaxValue));
    [Fact] public void AvailIndexExactlyAFullRingIsFine()
    {
        var drv = new FakeDriver(_mem, N);
        var vq = drv.CreateQueue();
        for (int i = 0; i < N; i++) drv.AddAndPublish([new Buf(DataBase, 1)]);
        var chain = vq.NewChain();
        for (int i = 0; i < N; i++) { Assert.True(vq.TryPop(chain)); vq.PushUsed(chain); }
        Assert.False(vq.TryPop(chain));
    }

    [Fact] public void HeadOutOfRange() => Check(VqRule.HeadOutOfRange, d => { d.SetRing(0, N); d.SetAvailIdx(1); });
    [Fact] public void HeadWayOutOfRange() => Check(VqRule.HeadOutOfRange, d => { d.SetRing(0, 0xFFFF); d.SetAvailIdx(1); });

    [Fact] public void NextOutOfRange() => Check(VqRule.NextOutOfRange, d => { d.WriteDesc(0, DataBase, 1, NX, N); d.Publish(0); });

    [Fact] public void SelfLoop() => Check(VqRule.ChainLoop, d => { d.WriteDesc(3, DataBase, 1, NX, 3); d.Publish(3); });

    [Fact]
    public void LongLoop() => Check(VqRule.ChainLoop, d =>
    {
        for (int i = 0; i < N; i++) d.WriteDesc(i, DataBase, 1, NX, (ushort)((i + 1) % N));
        d.Publish(5);
    });

    [Fact]
    public void ZeroLengthLoopStillCaught() => Check(VqRule.ChainLoop, d =>
    {
        d.WriteDesc(0, 0, 0, NX, 1);
        d.WriteDesc(1, 0, 0, NX, 0);
        d.Publish(0);
    });

    [Fact] public void BufferPastTheEndOfRam() => Check(VqRule.BufferOutsideRam, d => { d.WriteDesc(0, Ram, 1, 0); d.Publish(0); });
    [Fact] public void BufferStraddlesTheEndOfRam() => Check(VqRule.BufferOutsideRam, d => { d.WriteDesc(0, Ram - 4, 8, W); d.Publish(0); });
    [Fact] public void BufferAddressWrapsAround() => Check(VqRule.BufferOutsideRam, d => { d.WriteDesc(0, ulong.MaxValue - 7, 16, 0); d.Publish(0); });
    [Fact] public void BufferInTheMmioHole() => Check(VqRule.BufferOutsideRam, d => { d.WriteDesc(0, 0xFEC0_0000, 4, W); d.Publish(0); });

    [Fact]
    public void ReadableAfterWritable() => Check(VqRule.ReadableAfterWritable, d =>
        d.Publish(d.AddChain([new Buf(DataBase, 1, true), new Buf(DataBase, 1)])));

    [Fact]
    public void ReadableAfterWritableAcrossTheIndirectBoundary() => Check(VqRule.ReadableAfterWritable, d =>
    {
        WriteDesc(_mem, TableBase, 0, DataBase, 4, 0, 0);
        d.WriteDesc(0, DataBase, 1, W | NX, 1);
        d.WriteDesc(1, TableBase, 16, IND);
        d.Publish(0);
    });

    [Fact]
    public void IndirectWithoutTheFeature() => Check(VqRule.IndirectNotNegotiated, d =>
        d.Publish(d.AddIndirect(TableBase, [new Buf(DataBase, 1)])), indirect: false);

    [Fact]
    public void IndirectWithNext() => Check(VqRule.IndirectWithNext, d =>
    {
        WriteDesc(_mem, TableBase, 0, DataBase, 4, 0, 0);
        d.WriteDesc(0, TableBase, 16, IND | NX, 1);
        d.WriteDesc(1, DataBase, 1, W);
        d.Publish(0);
    });

    [Fact]
    public void IndirectInsideIndirect() => Check(VqRule.NestedIndirect, d =>
    {
        WriteDesc(_mem, TableBase + 0x100, 0, DataBase, 4, 0, 0);
        WriteDesc(_mem, TableBase, 0, DataBase, 4, NX, 1);
        WriteDesc(_mem, TableBase, 1, TableBase + 0x100, 16, IND, 0);
        d.WriteDesc(0, TableBase, 32, IND);
        d.Publish(0);
    });

    [Fact]
    public void IndirectTablePointingAtItself() => Check(VqRule.NestedIndirect, d =>
    {
        WriteDesc(_mem, TableBase, 0, TableBase, 16, IND, 0);
        d.WriteDesc(0, TableBase, 16, IND);
        d.Publish(0);
    });

    [Theory]
    [InlineData(0u)]
    [InlineData(8u)]
    [InlineData(17u)]
    [InlineData(16u * (N + 1))]      // more entries than the queue offers
    [InlineData(0xFFFF_FFF0u)]       // a multiple of 16 that would be a huge table
    public void IndirectTableSize(uint len) => Check(VqRule.IndirectTableSize, d =>
    {
        d.WriteDesc(0, TableBase, len, IND);
        d.Publish(0);
    });

    [Theory]
    [InlineData(Ram - 16)]               // second entry past the end
    [InlineData(ulong.MaxValue - 15)]    // wraps around
    [InlineData(0x1_0000_0000UL)]        // no RAM up there
    public void IndirectTableOutsideRam(ulong table) => Check(VqRule.IndirectTableOutsideRam, d =>
    {
        d.WriteDesc(0, table, 32, IND);
        d.Publish(0);
    });

    [Fact]
    public void LoopInsideAnIndirectTable() => Check(VqRule.ChainLoop, d =>
    {
        WriteDesc(_mem, TableBase, 0, DataBase, 4, NX, 1);
        WriteDesc(_mem, TableBase, 1, DataBase, 4, NX, 0);
        d.WriteDesc(0, TableBase, 32, IND);
        d.Publish(0);
    });

    [Fact]
    public void NextOutOfRangeInsideAnIndirectTable() => Check(VqRule.NextOutOfRange, d =>
    {
        // Entry 2 exists in memory but is beyond the table's stated length.
        WriteDesc(_mem, TableBase, 0, DataBase, 4, NX, 2);
        WriteDesc(_mem, TableBase, 2, DataBase, 4, 0, 0);
        d.WriteDesc(0, TableBase, 32, IND);
        d.Publish(0);
    });

    [Fact]
    public void BufferOutsideRamInsideAnIndirectTable() => Check(VqRule.BufferOutsideRam, d =>
    {
        WriteDesc(_mem, TableBase, 0, Ram - 1, 2, W, 0);
        d.WriteDesc(0, TableBase, 16, IND);
        d.Publish(0);
    });

    [Fact]
    public void ChainLongerThanTheQueue() => Check(VqRule.ChainTooLong, d =>
    {
        // Two direct buffers, then an indirect table of a full MaxSize entries: N + 2 buffers in all.
        for (int k = 0; k < N; k++) WriteDesc(_mem, TableBase, k, DataBase, 1, (ushort)(k < N - 1 ? NX : 0), (ushort)(k + 1));
        d.WriteDesc(0, DataBase, 1, NX, 1);
        d.WriteDesc(1, DataBase, 1, NX, 2);
        d.WriteDesc(2, TableBase, 16 * N, IND);
        d.Publish(0);
    });

    [Fact]
    public void ChainOfExactlyMaxSizeIsFine()
    {
        var drv = new FakeDriver(_mem, N);
        var vq = drv.CreateQueue();
        for (int k = 0; k < N; k++) WriteDesc(_mem, TableBase, k, DataBase, 1, (ushort)(k < N - 1 ? NX : 0), (ushort)(k + 1));
        drv.WriteDesc(0, TableBase, 16 * N, IND);
        drv.Publish(0);
        var chain = vq.NewChain();
        Assert.True(vq.TryPop(chain));
        Assert.Equal(N, chain.Readable.Length);
    }

    [Fact]
    public void ViolationLeavesEarlierChainsReturnable()
    {
        var drv = new FakeDriver(_mem, N);
        var vq = drv.CreateQueue();
        var good = vq.NewChain();
        var bad = vq.NewChain();
        ushort head = drv.AddAndPublish([new Buf(DataBase, 4, true)]);
        drv.SetRing(1, 0xFFFF);
        drv.SetAvailIdx(2);
        Assert.True(vq.TryPop(good));
        Assert.Throws<VirtqueueViolation>(() => vq.TryPop(bad));
        good.Writer.TryWrite(7u);
        vq.PushUsed(good);
        Assert.True(vq.NeedsInterrupt());
        Assert.True(drv.TryTakeUsed(out uint id, out uint len));
        Assert.Equal((head, 4u), (id, len));
    }
}

/*
 * Lengths that only overflow when added up need more RAM than the tests above
 * use: 256 buffers of 16 MiB are exactly 2^32 bytes, which a 32-bit sum would
 * wrap to 0.
 */
public sealed class WrappedLengthTests : IDisposable
{
    private const ulong Ram = 16 << 20;
    private readonly GuestMemory _mem = new(Ram);
    public void Dispose() => _mem.Dispose();

    [Theory]
    [InlineData(256, false)]   // sum exactly 2^32: wraps a uint to 0
    [InlineData(257, false)]
    [InlineData(255, true)]    // 2^32 - 16 MiB: fits
    public void TotalBytesMustFitInUint(int count, bool ok)
    {
        var drv = new FakeDriver(_mem, 4);
        var vq = drv.CreateQueue(maxSize: 512);
        for (int k = 0; k < count; k++)
            WriteDesc(_mem, TableBase, k, 0, (uint)Ram, (ushort)(k < count - 1 ? VIRTQ_DESC_F_NEXT : 0), (ushort)(k + 1));
        drv.WriteDesc(0, TableBase, (uint)(16 * count), VIRTQ_DESC_F_INDIRECT);
        drv.Publish(0);
        var chain = vq.NewChain();
        if (ok)
        {
            Assert.True(vq.TryPop(chain));
            Assert.Equal((uint)(255 * Ram), chain.ReadableBytes);
        }
        else
        {
            Assert.Equal(VqRule.ChainTooManyBytes, Assert.Throws<VirtqueueViolation>(() => vq.TryPop(chain)).Rule);
        }
    }
}
