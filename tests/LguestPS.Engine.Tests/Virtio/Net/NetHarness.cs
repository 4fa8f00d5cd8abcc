using System.Buffers.Binary;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Net;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Tests.Virtio.Net;

/*
 * A NetDevice on a real tap in a namespace of its own, with a fake driver's
 * rings in plain memory on the guest side and a packet socket on the host
 * side: no KVM, no PCI. Tests post buffers, call Process as the worker would
 * (or start the worker and ring the doorbells as KVM would), and read the used
 * rings back.
 */
internal sealed class NetHarness : IDisposable
{
    public const int Hdr = TapDevice.VnetHdrSize;
    public NetNamespace Ns { get; }
    public TapDevice Tap { get; }
    public NetDevice Dev { get; }
    public PacketPeer Peer { get; }
    public GuestMemory Mem { get; } = new(32 << 20);
    public FakeDriver Rx { get; }
    public FakeDriver Tx { get; }
    public Virtqueue RxQ { get; }
    public Virtqueue TxQ { get; }
    public ulong Features { get; }
    public int[] Interrupts { get; } = new int[2];
    public Exception? WorkerFailure { get; private set; }
    private readonly DeviceWorker _worker;
    private readonly EventFd[] _kicks = [new(), new()];
    private readonly EventFd _probe = new();
    private int _probes;
    private readonly Dictionary<ushort, ulong> _bufOf = new();
    private bool _started;
    private ulong _next = 0x100000;

    public NetHarness(bool mergeable = true, bool eventIdx = false, ushort size = 64)
    {
        Ns = NetTestEnv.Namespace();
        Tap = Ns.Run(() => TapDevice.Create(Ipv4Net.Parse("169.254.77.1", "t"), null, "t"));
        Dev = new NetDevice(Tap, MacAddress.Parse("02:00:00:00:00:02", "t"));
        Peer = PacketPeer.Open(Ns, Tap.Name);
        Rx = new FakeDriver(Mem, size, 0x1000);
        Tx = new FakeDriver(Mem, size, 0x20000);
        RxQ = Rx.CreateQueue(maxSize: 256, eventIdx: eventIdx);
        TxQ = Tx.CreateQueue(maxSize: 256, eventIdx: eventIdx);
        ulong f = Dev.Features | VirtioFeatures.Bit(VirtioFeatures.Version1) | VirtioFeatures.Bit(VirtioFeatures.IndirectDesc);
        if (eventIdx) f |= VirtioFeatures.Bit(VirtioFeatures.EventIdx);
        if (!mergeable) f &= ~VirtioFeatures.Bit(NetDevice.FeatureMrgRxbuf);
        Features = f;
        _worker = new DeviceWorker("net-test", e => WorkerFailure = e);
        for (int q = 0; q < 2; q++)
        {
            int queue = q;
            _worker.Watch(_kicks[q], () => Dev.Process(queue));
        }
        _worker.Watch(_probe, () => Interlocked.Increment(ref _probes));
        Dev.Activate(new VirtioContext(Mem, [RxQ, TxQ], f, q => Interlocked.Increment(ref Interrupts[q]), _worker));
    }

    /// <summary>From now on the device runs on its worker thread; Kick rings the doorbell instead of calling Process.</summary>
    public void StartWorker()
    {
        _started = true;
        _worker.Start();
    }

    public void Kick(int q)
    {
        if (_started) _kicks[q].Signal();
        else Dev.Process(q);
    }

    public ulong Alloc(int len)
    {
        ulong a = _next;
        _next += ((ulong)len + 63) & ~63UL;
        return a;
    }

    /// <summary>Posts one receive chain per size (each split into <paramref name="pieces"/> buffers), without kicking.</summary>
    public void PostRxSplit(int pieces, params int[] sizes)
    {
        foreach (int size in sizes)
        {
            ulong gpa = Alloc(size);
            Mem.Slice(gpa, size).Fill(0xEE);
            var bufs = new Buf[pieces];
            int done = 0;
            for (int i = 0; i < pieces; i++)
            {
                int len = i == pieces - 1 ? size - done : size / pieces;
                bufs[i] = new Buf(gpa + (ulong)done, (uint)len, true);
                done += len;
            }
            _bufOf[Rx.AddAndPublish(bufs)] = gpa;
        }
    }

    public void PostRx(params int[] sizes) => PostRxSplit(1, sizes);

    /// <summary>Puts header + frame in guest memory as one transmit chain of <paramref name="pieces"/> buffers.</summary>
    public void PostTx(ReadOnlySpan<byte> frame, VirtioNetHdr hdr = default, int pieces = 1, bool indirect = false)
    {
        int total = Hdr + frame.Length;
        ulong gpa = Alloc(total);
        Mem.Write(gpa, hdr);
        Mem.Write(gpa + Hdr, frame);
        var bufs = new Buf[pieces];
        int done = 0;
        for (int i = 0; i < pieces; i++)
        {
            int len = i == pieces - 1 ? total - done : total / pieces;
            bufs[i] = new Buf(gpa + (ulong)done, (uint)len);
            done += len;
        }
        if (indirect) Tx.Publish(Tx.AddIndirect(Alloc(16 * pieces), bufs));
        else Tx.AddAndPublish(bufs);
    }

    /// <summary>Every used receive element so far, with the bytes the device wrote.</summary>
    public List<(uint Len, byte[] Data)> TakeRx()
    {
        var r = new List<(uint, byte[])>();
        while (Rx.TryTakeUsed(out uint id, out uint len)) r.Add((len, Mem.Slice(_bufOf[(ushort)id], (int)len).ToArray()));
        return r;
    }

    /// <summary>Calls Process(0) until the device delivers no more (it does a bounded amount per call).</summary>
    public void DrainRx()
    {
        ushort before;
        do
        {
            before = Rx.UsedIdx;
            Dev.Process(NetDevice.RxQ);
        } while (Rx.UsedIdx != before);
    }

    /// <summary>Waits (worker mode) until the receive ring's used index reaches <paramref name="idx"/>.</summary>
    public void WaitRxUsed(ushort idx, int timeoutMs = 10000)
    {
        bool reached = SpinWait.SpinUntil(() => Rx.UsedIdx == idx || WorkerFailure != null, timeoutMs);
        Assert.Null(WorkerFailure);
        Assert.True(reached, $"receive used idx stayed at {Rx.UsedIdx}, expected {idx}");
    }

    /// <summary>Waits (worker mode) until <paramref name="done"/> holds; the timeout only bounds a failure.</summary>
    public void WaitFor(Func<bool> done, string what, int timeoutMs = 10000)
    {
        bool reached = SpinWait.SpinUntil(() => done() || WorkerFailure != null, timeoutMs);
        Assert.Null(WorkerFailure);
        Assert.True(reached, $"timed out waiting for {what}");
    }

    /// <summary>How many times the worker has woken up so far.</summary>
    public long WorkerWakeups => _worker.Wakeups;

    /// <summary>One round trip through the worker (worker mode): returns once it has run a no-op handler of ours.</summary>
    public void SyncWorker()
    {
        int target = Volatile.Read(ref _probes) + 1;
        _probe.Signal();
        WaitFor(() => Volatile.Read(ref _probes) >= target, "the worker to take a probe");
    }

    public static ushort NumBuffers(byte[] data) => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(VirtioNetHdr.NumBuffersOffset));

    public void Dispose()
    {
        _worker.Dispose();
        Dev.Reset();
        Dev.Dispose();
        Peer.Dispose();
        foreach (var k in _kicks) k.Dispose();
        _probe.Dispose();
        Ns.Dispose();
        Mem.Dispose();
    }
}
