using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Engine.Tests.Virtio.Net;

/*
 * No allocation per frame on the hot path, in either direction: once the
 * device is active and its chains exist, moving frames between the tap and
 * the rings allocates nothing (the test's own peer and fake driver do not
 * either, so the whole loop is measured).
 */
public class NetAllocationTests
{
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void SteadyStateTrafficAllocatesNothing(bool mergeable)
    {
        using var h = new NetHarness(mergeable: mergeable, size: 64);
        const int Batch = 8, FrameLen = 600;

        // Buffers laid out once; the loop only republishes heads, as a driver recycling them would.
        var rxHeads = new ushort[Batch];
        var txHeads = new ushort[Batch];
        for (int k = 0; k < Batch; k++)
        {
            rxHeads[k] = h.Rx.AddChain([new Buf(h.Alloc(2048), 2048, true)]);
            ulong t = h.Alloc(NetHarness.Hdr + FrameLen);
            h.Mem.Slice(t, NetHarness.Hdr).Clear();
            PacketPeer.Fill(h.Mem.Slice(t + NetHarness.Hdr, FrameLen), k);
            txHeads[k] = h.Tx.AddChain([new Buf(t, NetHarness.Hdr), new Buf(t + NetHarness.Hdr, FrameLen)]);
        }

        void Cycle(Span<byte> frame, Span<byte> buf)
        {
            for (int k = 0; k < Batch; k++) h.Rx.Publish(rxHeads[k]);
            for (int k = 0; k < Batch; k++)
            {
                PacketPeer.Fill(frame, k);
                h.Peer.Send(frame);
            }
            int got = 0;
            for (int spins = 0; got < Batch; spins++)
            {
                if (spins == 1_000_000) throw new Xunit.Sdk.XunitException("frames never arrived");
                h.Dev.Process(NetDevice.RxQ);
                while (h.Rx.TryTakeUsed(out _, out uint len))
                {
                    if (len != NetHarness.Hdr + FrameLen) throw new Xunit.Sdk.XunitException($"used length {len}");
                    got++;
                }
            }
            for (int k = 0; k < Batch; k++) h.Tx.Publish(txHeads[k]);
            h.Dev.Process(NetDevice.TxQ);
            for (int k = 0; k < Batch; k++)
            {
                // (xunit's Assert allocates: checks in the measured loop are plain ifs)
                if (!h.Tx.TryTakeUsed(out _, out _) || h.Peer.Receive(buf) != FrameLen)
                    throw new Xunit.Sdk.XunitException("a transmitted frame went missing");
            }
        }

        Span<byte> frame = stackalloc byte[FrameLen];
        Span<byte> buf = stackalloc byte[2048];
        for (int i = 0; i < 50; i++) Cycle(frame, buf);       // warm up: JIT tiers, lazily made chains
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) Cycle(frame, buf);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(250 * Batch, h.Dev.RxPackets);
        Assert.Equal(250 * Batch, h.Dev.TxPackets);
    }
}
