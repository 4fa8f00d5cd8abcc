using System.Buffers.Binary;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Engine.Tests.Virtio.Net;

/// <summary>The device between fake-driver rings and a real tap: both directions, mergeable buffers, backpressure.</summary>
public class NetDeviceTests
{
    private const int Hdr = NetHarness.Hdr;

    private static byte[] Payload(byte[] data) => data[Hdr..];

    [SkippableFact]
    public void ConfigSpaceHoldsTheMacAndALinkThatIsUp()
    {
        using var h = new NetHarness();
        var cfg = new byte[10];
        h.Dev.ReadConfig(0, cfg);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 2 }, cfg[..6]);
        Assert.Equal(NetDevice.StatusLinkUp, BinaryPrimitives.ReadUInt16LittleEndian(cfg.AsSpan(6)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(cfg.AsSpan(8)));
        var status = new byte[2];
        h.Dev.ReadConfig(6, status);
        Assert.Equal(1, status[0]);
        h.Dev.WriteConfig(0, new byte[6]);                  // read-only: ignored
        h.Dev.ReadConfig(0, cfg);
        Assert.Equal(2, cfg[0]);
    }

    [Fact]
    public void FeaturesAreTheSeedsOffloadsPlusMacStatusAndMergeableBuffers()
    {
        ulong f = new NetDevice(null!, default).Features;
        foreach (int bit in new[] { 0, 1, 5, 7, 8, 9, 11, 12, 13, 15, 16 })
            Assert.True((f & (1UL << bit)) != 0, $"feature {bit} missing");
        Assert.Equal(0UL, f & ~0x1FBA3UL);                  // nothing else: no control queue, no multiqueue, no UFO
        Assert.Equal([256, 256], new NetDevice(null!, default).QueueMaxSizes);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void TransmittedFramesReachTheHostByteForByte(bool eventIdx)
    {
        using var h = new NetHarness(eventIdx: eventIdx);
        byte[][] frames = [PacketPeer.Frame(1, 60), PacketPeer.Frame(2, 1514), PacketPeer.Frame(3, 9000)];
        h.PostTx(frames[0]);
        h.PostTx(frames[1], pieces: 3);                      // header and frame cut anywhere
        h.PostTx(frames[2], pieces: 4, indirect: true);
        h.Kick(NetDevice.TxQ);
        foreach (var f in frames) Assert.Equal(f, h.Peer.Receive());
        for (int i = 0; i < 3; i++)
        {
            Assert.True(h.Tx.TryTakeUsed(out _, out uint len));
            Assert.Equal(0u, len);
        }
        Assert.Equal(1, h.Interrupts[NetDevice.TxQ]);        // once for the batch
        Assert.Equal(3, h.Dev.TxPackets);
        Assert.Equal(0, h.Dev.TxDropped);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReceivedFramesLandInGuestBuffersWithTheirHeader(bool eventIdx)
    {
        using var h = new NetHarness(eventIdx: eventIdx);
        h.PostRx(2048, 2048, 2048, 2048);
        byte[][] frames = [PacketPeer.Frame(1, 60), PacketPeer.Frame(2, 1000), PacketPeer.Frame(3, 1514)];
        foreach (var f in frames) h.Peer.Send(f);
        h.Kick(NetDevice.RxQ);
        var got = h.TakeRx();
        Assert.Equal(3, got.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((uint)(Hdr + frames[i].Length), got[i].Len);
            Assert.Equal(frames[i], Payload(got[i].Data));
            Assert.Equal(new byte[10], got[i].Data[..10]);   // no offload for these: the tap wrote zeros over our 0xEE
            Assert.Equal(1, NetHarness.NumBuffers(got[i].Data));
        }
        Assert.Equal(1, h.Interrupts[NetDevice.RxQ]);
        Assert.Equal(3, h.Dev.RxPackets);

        h.Peer.Send(frames[0]);                               // the fourth buffer is still ours to fill
        h.Kick(NetDevice.RxQ);
        Assert.Equal(frames[0], Payload(Assert.Single(h.TakeRx()).Data));
    }

    [SkippableFact]
    public void MergeableBuffersCarryAFrameAcrossChainsWithNumBuffers()
    {
        using var h = new NetHarness();
        h.PostRxSplit(2, 256, 256, 256, 256, 256, 256, 256, 256); // each chain two buffers of 128
        var big = PacketPeer.Frame(1, 1000);
        var small = PacketPeer.Frame(2, 100);
        h.Peer.Send(big);
        h.Peer.Send(small);
        h.Kick(NetDevice.RxQ);
        var got = h.TakeRx();
        Assert.Equal([256u, 256u, 256u, 244u, (uint)(Hdr + 100)], got.Select(g => g.Len));
        Assert.Equal(4, NetHarness.NumBuffers(got[0].Data));  // §5.1.6.4: every chain but the last filled up
        Assert.Equal(big, got.Take(4).SelectMany(g => g.Data).ToArray()[Hdr..]);
        Assert.Equal(1, NetHarness.NumBuffers(got[4].Data));
        Assert.Equal(small, Payload(got[4].Data));
        Assert.Equal(2, h.Dev.RxPackets);
    }

    [SkippableFact]
    public void AFrameLargerThanThePostedBuffersWaitsForMoreAndIsNotLost()
    {
        using var h = new NetHarness();
        h.PostRx(256, 256);
        var big = PacketPeer.Frame(7, 1000);
        h.Peer.Send(big);
        h.Kick(NetDevice.RxQ);
        Assert.Empty(h.TakeRx());                             // nothing half-delivered
        Assert.True(h.Dev.ReceivePaused);
        h.PostRx(256, 256, 2048);
        h.Kick(NetDevice.RxQ);
        var got = h.TakeRx();
        Assert.Equal([256u, 256u, 256u, 244u], got.Select(g => g.Len));
        Assert.Equal(4, NetHarness.NumBuffers(got[0].Data));
        Assert.Equal(big, got.SelectMany(g => g.Data).ToArray()[Hdr..]);
        Assert.Equal(0, h.Dev.RxDropped);
        Assert.False(h.Dev.ReceivePaused);                    // a buffer is left: the tap is watched again
    }

    [SkippableFact]
    public void AFrameNoBufferOfTheWholeRingCanHoldIsDroppedAndTheBuffersServeTheNext()
    {
        using var h = new NetHarness(size: 4);
        h.PostRx(64, 64, 64, 64);                             // the whole ring: 256 bytes
        h.Peer.Send(PacketPeer.Frame(1, 1000));
        var small = PacketPeer.Frame(2, 40);
        h.Peer.Send(small);
        h.DrainRx();
        var got = Assert.Single(h.TakeRx());
        Assert.Equal(small, Payload(got.Data));
        Assert.Equal(1, h.Dev.RxDropped);
        Assert.Equal(1, h.Dev.RxPackets);
    }

    [SkippableFact]
    public void WithoutMergeableBuffersAFrameMustFitOneChain()
    {
        using var h = new NetHarness(mergeable: false);
        h.PostRx(256, 2048);
        byte[] a = PacketPeer.Frame(1, 1000), b = PacketPeer.Frame(2, 100), c = PacketPeer.Frame(3, 1000);
        h.Peer.Send(a);
        h.Peer.Send(b);
        h.Peer.Send(c);
        h.DrainRx();
        var got = h.TakeRx();
        Assert.Equal(2, got.Count);
        Assert.Equal(b, Payload(got[0].Data));                // a did not fit the 256-byte chain: dropped, chain kept
        Assert.Equal(c, Payload(got[1].Data));
        Assert.All(got, g => Assert.Equal(1, NetHarness.NumBuffers(g.Data)));
        Assert.Equal(1, h.Dev.RxDropped);
    }

    [SkippableFact]
    public void WithoutBuffersFramesWaitInTheTapAndNoneIsLost()
    {
        using var h = new NetHarness(size: 256);
        const int N = 150;
        for (int i = 0; i < N; i++) h.Peer.Send(PacketPeer.Frame(i, 100 + i));
        h.Kick(NetDevice.RxQ);                                // no buffers: nothing read, the tap is left alone
        Assert.True(h.Dev.ReceivePaused);
        Assert.Equal(0, h.Dev.RxPackets);
        h.PostRx(Enumerable.Repeat(2048, 100).ToArray());
        h.DrainRx();
        h.PostRx(Enumerable.Repeat(2048, 100).ToArray());
        h.DrainRx();
        var got = h.TakeRx();
        Assert.Equal(N, got.Count);
        for (int i = 0; i < N; i++) Assert.Equal(PacketPeer.Frame(i, 100 + i), Payload(got[i].Data));
        Assert.Equal(0, h.Dev.RxDropped);
    }

    [SkippableFact]
    public void HostileTransmitChainsAreDroppedAndCountedAndTrafficGoesOn()
    {
        using var h = new NetHarness();
        ulong tiny = h.Alloc(5);
        h.Tx.AddAndPublish([new(tiny, 5)]);                                            // shorter than the header
        ulong w = h.Alloc(200);
        h.Tx.AddAndPublish([new(w, 100), new(w + 100, 100, true)]);                    // a writable buffer
        h.PostTx(new byte[70000]);                                                    // oversize
        h.PostTx(PacketPeer.Frame(1, 60), new VirtioNetHdr { GsoType = 0x42 });        // a GSO type nobody knows: the kernel says no
        var good = PacketPeer.Frame(2, 60);
        h.PostTx(good);
        h.Kick(NetDevice.TxQ);
        Assert.Equal(good, h.Peer.Receive());
        Assert.Null(h.Peer.Receive(200));
        for (int i = 0; i < 5; i++) Assert.True(h.Tx.TryTakeUsed(out _, out _), "every chain goes back to the driver");
        Assert.Equal(4, h.Dev.TxDropped);
        Assert.Equal(2, h.Dev.MalformedChains);
        Assert.Equal(1, h.Dev.TxPackets);
    }

    [SkippableFact]
    public void HostileReceiveChainsGoBackEmptyAndTheNextChainTakesTheFrame()
    {
        using var h = new NetHarness();
        ulong a = h.Alloc(64);
        h.Rx.AddAndPublish([new(a, 8, true)]);                                         // shorter than the header
        h.Rx.AddAndPublish([new(a, 64)]);                                              // device-readable only
        h.PostRx(2048);
        var f = PacketPeer.Frame(1, 80);
        h.Peer.Send(f);
        h.Kick(NetDevice.RxQ);
        var lens = new List<uint>();
        while (h.Rx.TryTakeUsed(out _, out uint len)) lens.Add(len);
        Assert.Equal([0u, 0u, (uint)(Hdr + 80)], lens);
        Assert.Equal(2, h.Dev.MalformedChains);
        Assert.Equal(1, h.Dev.RxPackets);
    }

    [SkippableFact]
    public void OnItsWorkerTheDeviceFollowsTheTapAndTheDoorbells()
    {
        using var h = new NetHarness();
        h.StartWorker();
        h.PostRx(2048, 2048, 2048, 2048);
        h.Kick(NetDevice.RxQ);
        for (int i = 0; i < 6; i++) h.Peer.Send(PacketPeer.Frame(i, 200));
        h.WaitRxUsed(4);                                       // read as the tap became readable: nobody called Process
        h.PostRx(2048, 2048);
        h.Kick(NetDevice.RxQ);                                 // the doorbell resumes the paused tap
        h.WaitRxUsed(6);
        var got = h.TakeRx();
        for (int i = 0; i < 6; i++) Assert.Equal(PacketPeer.Frame(i, 200), Payload(got[i].Data));
        Assert.True(h.Interrupts[NetDevice.RxQ] >= 2);

        h.PostTx(PacketPeer.Frame(9, 64));
        h.Kick(NetDevice.TxQ);
        Assert.Equal(PacketPeer.Frame(9, 64), h.Peer.Receive());
        Assert.Null(h.WorkerFailure);
    }

    [SkippableFact]
    public void AfterAResetTheDeviceServesNothingAndHoldsNothing()
    {
        using var h = new NetHarness();
        h.PostRx(256);
        h.Peer.Send(PacketPeer.Frame(1, 1000));
        h.Kick(NetDevice.RxQ);                                // a frame now waits for buffers
        h.Dev.Reset();
        h.Dev.Process(NetDevice.RxQ);
        h.Dev.Process(NetDevice.TxQ);
        Assert.Empty(h.TakeRx());
    }

    [SkippableFact]
    public void ATapDeletedUnderneathStopsReceivingWithoutSpinningAndTransmitDrops()
    {
        using var h = new NetHarness();
        h.StartWorker();
        h.PostRx(2048, 2048);
        h.Kick(NetDevice.RxQ);
        h.WaitFor(() => !h.Dev.ReceivePaused, "the device to watch the tap for the buffers it was given");
        h.Ns.Sh($"ip link del {h.Tap.Name}");                 // an administrator pulls the cable
        h.WaitFor(() => h.Dev.ReceivePaused, "the device to stop watching the dead tap");
        // Not spinning: from here only our own probes wake the worker (a tap still in its epoll set, hung
        // up, would wake it on every turn, so two probe round trips would count more than two wake-ups).
        long before = h.WorkerWakeups;
        h.SyncWorker();
        h.SyncWorker();
        Assert.Equal(2, h.WorkerWakeups - before);
        h.PostTx(PacketPeer.Frame(1, 60));
        h.Kick(NetDevice.TxQ);
        h.WaitFor(() => h.Dev.TxDropped > 0 && h.Tx.UsedIdx == 1, "the transmit frame to be dropped and its buffer given back");
        Assert.Equal(1, h.Dev.TxDropped);
        Assert.True(h.Tx.TryTakeUsed(out _, out _));           // the buffer still goes back
        Assert.True(h.Dev.ReceivePaused);
        Assert.Null(h.WorkerFailure);
    }

    /*
     * Offload requests ride in the header unchanged: a 9000-byte TCP segment
     * the guest asks the host to checksum and cut up (§5.1.6.2: NEEDS_CSUM
     * with csum_start/csum_offset, gso_type TCPV4 with gso_size) is taken by
     * the host's stack whole; the same request with its checksum field out
     * of the frame is refused by the kernel and counted. Addresses are the
     * namespace's own link-local ones.
     */
    [SkippableFact]
    public void OffloadRequestsPassThroughTheHeaderUnchanged()
    {
        using var h = new NetHarness();
        using var ip = PacketPeer.Open(h.Ns, h.Tap.Name, 0x0800);
        byte[] seg = TcpSegment(payload: 9000);
        var hdr = new VirtioNetHdr
        {
            Flags = VirtioNetHdr.F_NEEDS_CSUM, GsoType = VirtioNetHdr.GSO_TCPV4, HdrLen = 54, GsoSize = 1448,
            CsumStart = 34, CsumOffset = 16,
        };
        h.PostTx(seg, hdr, pieces: 3);
        h.PostTx(seg, hdr with { CsumStart = 9990 });
        h.Kick(NetDevice.TxQ);
        var got = ip.Receive();
        Assert.NotNull(got);
        Assert.Equal(seg.Length, got!.Length);                // one frame: the receiving stack saw the TSO request
        Assert.Equal(seg[54..], got[54..]);
        Assert.Equal(1, h.Dev.TxPackets);
        Assert.Equal(1, h.Dev.TxDropped);
    }

    // Ethernet + IPv4 (169.254.77.2 -> 169.254.77.1, checksummed) + TCP (checksum left to the offload).
    private static byte[] TcpSegment(int payload)
    {
        var f = new byte[54 + payload];
        f.AsSpan(0, 6).Fill(0xFF);
        f[6] = 2; f[11] = 2;
        f[12] = 0x08;
        var ipHdr = f.AsSpan(14, 20);
        ipHdr[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ipHdr[2..], (ushort)(20 + 20 + payload));
        ipHdr[8] = 64;
        ipHdr[9] = 6;
        byte[] src = [169, 254, 77, 2], dst = [169, 254, 77, 1];
        src.CopyTo(ipHdr[12..]);
        dst.CopyTo(ipHdr[16..]);
        uint sum = 0;
        for (int i = 0; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ipHdr[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(ipHdr[10..], (ushort)~sum);
        var tcp = f.AsSpan(34, 20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 9);  // discard: nobody listens in the namespace
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 1);
        tcp[12] = 0x50;
        tcp[13] = 0x18;                                        // PSH ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        // The pseudo-header sum goes in the checksum field; the side that finishes the checksum adds the rest.
        uint ph = 0xA9FE + 0x4D02 + 0xA9FE + 0x4D01 + 6 + (uint)(20 + payload);
        while (ph > 0xFFFF) ph = (ph & 0xFFFF) + (ph >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], (ushort)ph);
        for (int i = 54; i < f.Length; i++) f[i] = (byte)i;
        return f;
    }
}

