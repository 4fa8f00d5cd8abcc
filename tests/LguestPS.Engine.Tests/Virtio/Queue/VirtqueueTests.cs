using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;
using static LguestPS.Engine.Tests.Virtio.Queue.FakeDriver;

namespace LguestPS.Engine.Tests.Virtio.Queue;

public sealed class VirtqueueTests : IDisposable
{
    private readonly GuestMemory _mem = new(1 << 20);
    public void Dispose() => _mem.Dispose();

    [Fact]
    public void EmptyRingPopsNothing()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        Assert.False(vq.TryPop(vq.NewChain()));
    }

    [Fact]
    public void SingleDescriptorRoundTrip()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        drv.Mem.Write(DataBase, "hello"u8);
        ushort head = drv.AddAndPublish([new Buf(DataBase, 5)]);

        Assert.True(vq.TryPop(chain));
        Assert.Equal(head, chain.Head);
        Assert.Equal(5u, chain.ReadableBytes);
        Assert.Equal(0u, chain.WritableBytes);
        Span<byte> got = stackalloc byte[8];
        Assert.Equal(5, chain.Reader.Read(got));
        Assert.Equal("hello"u8.ToArray(), got[..5].ToArray());
        vq.PushUsed(chain);

        Assert.True(drv.TryTakeUsed(out uint id, out uint len));
        Assert.Equal(head, id);
        Assert.Equal(0u, len);
        Assert.False(vq.TryPop(chain));
    }

    [Fact]
    public void MultiDescriptorChainReadsAndWritesAcrossSegments()
    {
        var drv = new FakeDriver(_mem, 16);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        // A 16-byte header cut 3 + 13, then a 4-byte and a 1-byte writable buffer.
        for (int k = 0; k < 16; k++) drv.Mem.Write<byte>(DataBase + (ulong)(k < 3 ? k : 0x100 + k - 3), (byte)(0xA0 + k));
        ushort head = drv.AddAndPublish([
            new Buf(DataBase, 3), new Buf(DataBase + 0x100, 13),
            new Buf(DataBase + 0x200, 4, true), new Buf(DataBase + 0x300, 1, true)]);

        Assert.True(vq.TryPop(chain));
        Assert.Equal(2, chain.Readable.Length);
        Assert.Equal(2, chain.Writable.Length);
        Assert.Equal(16u, chain.ReadableBytes);
        Assert.Equal(5u, chain.WritableBytes);

        Assert.True(chain.Reader.TryRead(out Int128 hdr));
        Span<byte> expect = stackalloc byte[16];
        for (int k = 0; k < 16; k++) expect[k] = (byte)(0xA0 + k);
        Assert.Equal(System.Runtime.InteropServices.MemoryMarshal.Read<Int128>(expect), hdr);
        Assert.Equal(0u, chain.Reader.Remaining);
        Assert.False(chain.Reader.TryRead(out byte _));

        Assert.True(chain.Writer.TryWrite(0x11223344u + 0u));
        Assert.False(chain.Writer.TryWrite(0u));   // only 1 byte of room left: nothing written
        Assert.Equal(1, chain.Writer.Write([0x55, 0x66]));
        Assert.Equal(5u, chain.Writer.Written);
        vq.PushUsed(chain);

        Assert.Equal(0x11223344u, drv.Mem.Read<uint>(DataBase + 0x200));
        Assert.Equal(0x55, drv.Mem.Read<byte>(DataBase + 0x300));
        Assert.True(drv.TryTakeUsed(out uint id, out uint len));
        Assert.Equal((head, 5u), (id, len));
    }

    [Fact]
    public void GetSpanAndAdvanceWalkSegments()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        drv.AddAndPublish([new Buf(DataBase, 10, true), new Buf(DataBase + 0x100, 6, true)]);
        Assert.True(vq.TryPop(chain));

        var w = chain.Writer;
        Assert.Equal(4, w.GetSpan(4).Length);
        w.GetSpan(4).Fill(1); w.Advance(4);
        Assert.Equal(6, w.GetSpan().Length);            // rest of the first segment
        w.Advance(8);                                   // skips across the boundary
        Assert.Equal(4, w.GetSpan().Length);
        w.Advance(100);                                 // clamped to the room left
        Assert.True(w.GetSpan().IsEmpty);
        Assert.Equal(16u, w.Written);
        vq.PushUsed(chain, 7);                          // an explicit used length wins
        Assert.True(drv.TryTakeUsed(out _, out uint len));
        Assert.Equal(7u, len);
    }

    [Fact]
    public void ZeroLengthDescriptorsCountButCarryNothing()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        // Address far outside RAM, but zero bytes: never touched, so accepted.
        drv.AddAndPublish([new Buf(0xFFFF_FFFF_0000, 0), new Buf(DataBase, 2, true)]);
        Assert.True(vq.TryPop(chain));
        Assert.Equal(0, chain.Readable.Length);
        Assert.Equal(1, chain.Writable.Length);
    }

    [Fact]
    public void IndirectTableRoundTrip()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        drv.Mem.Write(DataBase, "abcdef"u8);
        // More entries than the direct table has: an indirect table may, up to MaxSize.
        ushort head = drv.AddIndirect(TableBase, [
            new Buf(DataBase, 2), new Buf(DataBase + 2, 2), new Buf(DataBase + 4, 2),
            new Buf(DataBase + 0x100, 1, true), new Buf(DataBase + 0x101, 1, true),
            new Buf(DataBase + 0x102, 1, true), new Buf(DataBase + 0x103, 1, true), new Buf(DataBase + 0x104, 1, true)]);
        drv.Publish(head);

        Assert.True(vq.TryPop(chain));
        Assert.Equal(head, chain.Head);
        Assert.Equal(3, chain.Readable.Length);
        Assert.Equal(5, chain.Writable.Length);
        Span<byte> got = stackalloc byte[6];
        Assert.Equal(6, chain.Reader.Read(got));
        Assert.Equal("abcdef"u8.ToArray(), got.ToArray());
        Assert.Equal(5, chain.Writer.Write("VWXYZ"u8));
        vq.PushUsed(chain);
        Assert.True(drv.TryTakeUsed(out uint id, out uint len));
        Assert.Equal((head, 5u), (id, len));
        Assert.Equal("VWXYZ"u8.ToArray(), drv.Mem.Slice(DataBase + 0x100, 5).ToArray());
    }

    [Fact]
    public void DirectDescriptorsFollowedByIndirectTable()
    {
        // §2.7.5.3.2: zero or more chained descriptors, then one indirect descriptor.
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        WriteDesc(_mem, TableBase, 0, DataBase + 0x100, 4, VirtqAbi.VIRTQ_DESC_F_WRITE, 0);
        drv.WriteDesc(0, DataBase, 8, VirtqAbi.VIRTQ_DESC_F_NEXT, 1);
        drv.WriteDesc(1, TableBase, 16, VirtqAbi.VIRTQ_DESC_F_INDIRECT | VirtqAbi.VIRTQ_DESC_F_WRITE); // WRITE ignored
        drv.Publish(0);
        Assert.True(vq.TryPop(chain));
        Assert.Equal(8u, chain.ReadableBytes);
        Assert.Equal(4u, chain.WritableBytes);
    }

    [Fact]
    public void SixteenBitIndexesWrapAround()
    {
        // Drive real traffic until both free-running indexes are about to wrap, then past it.
        var drv = new FakeDriver(_mem, 4);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        for (int n = 0; n < 65536 + 10; n++)
        {
            ushort head = drv.AddAndPublish([new Buf(DataBase, 4, true)]);
            Assert.True(vq.TryPop(chain));
            Assert.Equal(head, chain.Head);
            chain.Writer.TryWrite(n);
            vq.PushUsed(chain);
            Assert.True(drv.TryTakeUsed(out uint id, out uint len));
            Assert.Equal((head, 4u), (id, len));
            Assert.False(vq.TryPop(chain));
        }
        Assert.Equal((ushort)10, drv.UsedIdx);
        Assert.Equal((ushort)10, drv.AvailIdx);
    }

    [Fact]
    public void BatchAcrossTheWrapWithAFullRing()
    {
        var drv = new FakeDriver(_mem, 4);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        for (int n = 0; n < 65534; n++) { drv.Publish(drv.AddChain([new Buf(DataBase, 1)])); vq.TryPop(chain); vq.PushUsed(chain); drv.TryTakeUsed(out _, out _); }
        // avail idx 65534: publish a full ring (4) so it crosses 65535 -> 0 -> 1 -> 2.
        for (int k = 0; k < 4; k++) drv.Publish(drv.AddChain([new Buf(DataBase + (ulong)k, 1)]));
        Assert.Equal((ushort)2, drv.AvailIdx);
        for (int k = 0; k < 4; k++) { Assert.True(vq.TryPop(chain)); Assert.Equal(DataBase + (ulong)k, chain.Readable[0].Gpa); vq.PushUsed(chain); }
        Assert.False(vq.TryPop(chain));
        Assert.Equal((ushort)2, drv.UsedIdx);
    }

    [Fact]
    public void EnableChecksTheLayout()
    {
        var vq = new Virtqueue(_mem, 256);
        vq.DescGpa = 0x1000; vq.AvailGpa = 0x2000; vq.UsedGpa = 0x3000;
        foreach (ushort bad in new ushort[] { 0, 3, 100, 512 })
        {
            vq.Size = bad;
            Assert.Equal(VqRule.QueueSize, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        }
        vq.Size = 256;
        vq.DescGpa = 0x1008;
        Assert.Equal(VqRule.RingAlignment, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.DescGpa = 0x1000; vq.AvailGpa = 0x2001;
        Assert.Equal(VqRule.RingAlignment, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.AvailGpa = 0x2000; vq.UsedGpa = 0x3002;
        Assert.Equal(VqRule.RingAlignment, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.UsedGpa = (1 << 20) - 0x800;                  // 6 + 8*256 bytes do not fit
        Assert.Equal(VqRule.RingOutsideRam, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.UsedGpa = 0xFFFF_FFFF_FFFF_FF00;              // wraps past 2^64
        Assert.Equal(VqRule.RingOutsideRam, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.UsedGpa = 0x3000; vq.DescGpa = 0xFFFF_FFFF_FFFF_F000;
        Assert.Equal(VqRule.RingOutsideRam, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        vq.DescGpa = 0x1000; vq.AvailGpa = (1 << 20) - 4;
        Assert.Equal(VqRule.RingOutsideRam, Assert.Throws<VirtqueueViolation>(vq.Enable).Rule);
        Assert.False(vq.Enabled);
        vq.AvailGpa = 0x2000;
        vq.Enable();
        Assert.True(vq.Enabled);
        vq.Enable();                                     // again: nothing happens
        Assert.Equal(VqRule.ConfigWhileEnabled, Assert.Throws<VirtqueueViolation>(() => vq.Size = 128).Rule);
        Assert.Equal(VqRule.ConfigWhileEnabled, Assert.Throws<VirtqueueViolation>(() => vq.UsedGpa = 0).Rule);
    }

    [Fact]
    public void ExactFitAtTheEndOfRamIsAccepted()
    {
        var vq = new Virtqueue(_mem, 256) { DescGpa = 0x1000, AvailGpa = 0x2000 };
        vq.UsedGpa = (1 << 20) - VirtqAbi.UsedRingBytes(256) & ~3UL;
        vq.Enable();
        Assert.True(vq.Enabled);
    }

    [Fact]
    public void ResetReturnsToPowerOnAndStartsAfresh()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue(maxSize: 16, eventIdx: true);
        var chain = vq.NewChain();
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(vq.TryPop(chain));
        vq.Reset();
        Assert.False(vq.Enabled);
        Assert.Equal((ushort)16, vq.Size);
        Assert.Equal(0UL, vq.DescGpa);
        Assert.False(vq.EventIdx);
        Assert.False(vq.TryPop(chain));
        Assert.False(vq.NeedsInterrupt());
        Assert.False(vq.EnableNotifications());
        vq.DisableNotifications();

        // The chain popped before the reset is dropped, not written into the new ring.
        _mem.Clear(drv.Used, 0x100);
        var drv2 = new FakeDriver(_mem, 8);
        vq.Size = 8; vq.DescGpa = drv2.Desc; vq.AvailGpa = drv2.Avail; vq.UsedGpa = drv2.Used;
        _mem.Write<ushort>(drv2.Avail + 2, 0);
        vq.Enable();
        vq.PushUsed(chain);
        Assert.Equal((ushort)0, drv2.UsedIdx);
        Assert.Throws<InvalidOperationException>(() => vq.PushUsed(chain)); // and not twice
    }

    [Fact]
    public void PushingAChainTwiceIsOurBug()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var chain = vq.NewChain();
        Assert.Throws<InvalidOperationException>(() => vq.PushUsed(chain));
        drv.AddAndPublish([new Buf(DataBase, 1)]);
        Assert.True(vq.TryPop(chain));
        vq.PushUsed(chain);
        Assert.Throws<InvalidOperationException>(() => vq.PushUsed(chain));
        Assert.Equal((ushort)1, drv.UsedIdx);
    }

    [Fact]
    public void SeveralChainsInFlightComeBackInAnyOrder()
    {
        var drv = new FakeDriver(_mem, 8);
        var vq = drv.CreateQueue();
        var a = vq.NewChain();
        var b = vq.NewChain();
        ushort ha = drv.AddAndPublish([new Buf(DataBase, 1)]);
        ushort hb = drv.AddAndPublish([new Buf(DataBase, 2)]);
        Assert.True(vq.TryPop(a));
        Assert.True(vq.TryPop(b));
        vq.PushUsed(b);
        vq.PushUsed(a);
        Assert.True(drv.TryTakeUsed(out uint first, out _));
        Assert.True(drv.TryTakeUsed(out uint second, out _));
        Assert.Equal((hb, ha), ((ushort)first, (ushort)second));
    }

    [Fact]
    public void ConstructorRefusesImpossibleMaxSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Virtqueue(_mem, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Virtqueue(_mem, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Virtqueue(_mem, 65535));
        Assert.Equal(32768, new Virtqueue(_mem, 32768).NewChain().Capacity);
    }
}
