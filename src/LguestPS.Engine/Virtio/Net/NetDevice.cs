using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Net;

/*L:580
 * The network card (virtio 1.2 section 5.1): receiveq 0 brings frames from
 * the tap to the guest, transmitq 1 takes the guest's frames to the tap.
 * No control queue, one queue pair. The seed's net_input and net_output,
 * with the checks a hostile guest calls for.
 *
 * Each frame travels with its 12-byte virtio-net header, which the tap
 * speaks natively, so both directions are a single readv or writev between
 * the tap and the guest's own buffers: no copy in between. The offloads the
 * seed offered ride along in that header (checksums left to the other side,
 * TCP segments up to 64 KiB); after negotiation we tell the tap which of them
 * the guest took, so the host never sends what the driver cannot read.
 *
 * Transmit (here) pops every frame the driver queued, writes each to the
 * tap and returns its buffers, then interrupts once for the batch. Receive is
 * in NetDevice.Receive.cs.
 */
public sealed partial class NetDevice : IVirtioDevice, IDisposable
{
    // Feature bits (§5.1.3).
    public const int FeatureCsum = 0, FeatureGuestCsum = 1, FeatureMac = 5, FeatureGuestTso4 = 7, FeatureGuestTso6 = 8,
        FeatureGuestEcn = 9, FeatureHostTso4 = 11, FeatureHostTso6 = 12, FeatureHostEcn = 13, FeatureMrgRxbuf = 15,
        FeatureStatus = 16;
    public const ushort StatusLinkUp = 1;
    public const int RxQ = 0, TxQ = 1;
    private const ushort QueueSize = 256;

    /// <summary>
    /// The largest frame, header included: §5.1.6.3.1's 65562-byte buffers, a 65550-byte frame and the header.
    /// Anything longer is dropped in either direction.
    /// </summary>
    public const int MaxPacket = 65550 + TapDevice.VnetHdrSize;

    /// <summary>Frames handled per turn of the worker, so one busy direction cannot starve the other.</summary>
    private const int TxBudget = 256, RxBudget = 64;

    private readonly TapDevice _tap;
    private readonly EventFd _txMore = new();
    private VirtioContext? _ctx;
    private GuestIoVec? _iov;
    private DescChain? _txChain;

    public MacAddress Mac { get; }

    /// <summary>The host's name for our end of the cable (lguest0, ...).</summary>
    public string TapName => _tap.Name;

    public NetDevice(TapDevice tap, MacAddress mac)
    {
        _tap = tap;
        Mac = mac;
    }

    /*
     * What --tunnet=<ip>[:<mac>] or --tunnet=bridge:<name>[:<mac>] asks for,
     * checked and built: a malformed address or MAC, no right to make a tap,
     * or no such bridge each end in one EngineException line, and no tap is
     * left behind by a failure.
     */
    /// <summary>Parses the option's parts, creates the tap and returns the device that owns it.</summary>
    public static NetDevice Create(string? address, string? bridge, string? mac)
    {
        string context = "--tunnet=" + (bridge is not null ? "bridge:" + bridge : address) + (mac is null ? "" : ":" + mac);
        if ((address is null) == (bridge is null))
            throw new EngineException(ErrorId.InvalidArgument, $"{context}: give an IPv4 address or bridge:<name>");
        var m = mac is null ? MacAddress.Random() : MacAddress.Parse(mac, context);
        Ipv4Net? net = address is null ? null : Ipv4Net.Parse(address, context);
        var tap = TapDevice.Create(net, bridge, context);
        if (Log.IsVerbose) Log.Verbose($"net: {tap.Name}: guest MAC {m}");
        return new NetDevice(tap, m);
    }

    public string Name => Events.Ready.DeviceNames.Net;
    public VirtioDeviceType Type => VirtioDeviceType.Net;
    public (byte Class, byte Subclass) PciClass => (0x02, 0x00); // network controller, Ethernet
    public IReadOnlyList<ushort> QueueMaxSizes { get; } = [QueueSize, QueueSize];

    public ulong Features =>
        Bits(FeatureCsum, FeatureGuestCsum, FeatureGuestTso4, FeatureGuestTso6, FeatureGuestEcn,
             FeatureHostTso4, FeatureHostTso6, FeatureHostEcn, FeatureMac, FeatureMrgRxbuf, FeatureStatus);

    private static ulong Bits(params ReadOnlySpan<int> bits)
    {
        ulong v = 0;
        foreach (int b in bits) v |= VirtioFeatures.Bit(b);
        return v;
    }

    // §5.1.4: mac[6], status (le16), max_virtqueue_pairs (le16; meaningful only with MQ, 1 anyway).
    public int ConfigSize => 10;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> cfg = stackalloc byte[ConfigSize];
        Mac.CopyTo(cfg);
        BinaryPrimitives.WriteUInt16LittleEndian(cfg[6..], StatusLinkUp);
        BinaryPrimitives.WriteUInt16LittleEndian(cfg[8..], 1);
        cfg.Slice(offset, data.Length).CopyTo(data);
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data) { } // §5.1.4.2: read-only for a 1.x driver

    public void Activate(VirtioContext ctx)
    {
        _mergeable = ctx.Has(FeatureMrgRxbuf);
        _guestCsum = ctx.Has(FeatureGuestCsum);
        _iov = new GuestIoVec(ctx.Memory, Uio.IOV_MAX - 1);
        _txChain = ctx.Queues[TxQ].NewChain();
        _stash = new DescChain?[ctx.Queues[RxQ].MaxSize];
        _stashHead = _stashCount = 0;
        _stashBytes = 0;
        _pendLen = 0;
        SetTapOffloads(ctx);
        _tapWatch = ctx.Worker.Watch(_tap.Fd, Receive);
        ctx.Worker.Watch(_txMore, Transmit);
        _ctx = ctx;
    }

    // The guest's GUEST_* features are the tap's TUN_F_* (what the reader of the tap can take).
    private void SetTapOffloads(VirtioContext ctx)
    {
        uint off = 0;
        if (ctx.Has(FeatureGuestCsum))
        {
            off |= Tun.TUN_F_CSUM;
            if (ctx.Has(FeatureGuestTso4)) off |= Tun.TUN_F_TSO4;
            if (ctx.Has(FeatureGuestTso6)) off |= Tun.TUN_F_TSO6;
            if (ctx.Has(FeatureGuestEcn) && (off & (Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6)) != 0) off |= Tun.TUN_F_TSO_ECN;
        }
        try { _tap.SetOffload(off); }
        catch (SysException e) { Log.Warning($"net {_tap.Name}: cannot set the tap's offloads ({e.Message})"); }
        if (Log.IsVerbose)
            Log.Verbose($"net {_tap.Name}: driver ready: {(_mergeable ? "mergeable receive buffers" : "one buffer per frame")}, " +
                        $"guest takes {(off == 0 ? "no offloads" : $"offloads 0x{off:x} (TUN_F_*)")}");
    }

    public void Process(int queue)
    {
        if (queue == RxQ) Receive();
        else Transmit();
    }

    private void Transmit()
    {
        if (_ctx is not { } ctx || _txChain is not { } chain) return;
        var vq = ctx.Queues[TxQ];
        int budget = TxBudget;
        while (true)
        {
            vq.DisableNotifications();
            while (vq.TryPop(chain))
            {
                Send(chain);
                vq.PushUsed(chain, 0);
                if (--budget == 0)
                {
                    // Enough for one turn: let the receive side in, and come back (kicks stay off meanwhile).
                    if (vq.NeedsInterrupt()) ctx.Interrupt(TxQ);
                    _txMore.Signal();
                    return;
                }
            }
            if (vq.NeedsInterrupt()) ctx.Interrupt(TxQ);
            if (Polling.WaitForMore(vq)) continue;   // a sending guest sends again soon: no kick needed
            if (!vq.EnableNotifications()) break;
        }
    }

    /*
     * §5.1.6.2: a transmit chain is device-readable only: the header, then
     * the frame. The header's offload requests are the kernel's to check
     * (a bad one fails the writev with EINVAL); the shape is ours to check.
     * A frame that cannot go is dropped and counted, and its buffers go back
     * to the driver all the same.
     */
    private void Send(DescChain chain)
    {
        if (chain.WritableBytes != 0 || chain.ReadableBytes < TapDevice.VnetHdrSize)
        {
            Interlocked.Increment(ref _txDropped);
            Malformed(chain.WritableBytes != 0
                ? "dropped a transmit chain with device-writable buffers"
                : "dropped a transmit chain of {0} bytes, shorter than the 12-byte header", chain.ReadableBytes);
            return;
        }
        if (chain.ReadableBytes > MaxPacket)
        {
            Count(ref _txDropped, "dropped a {0}-byte transmit frame: more than 65562 bytes with its header", chain.ReadableBytes);
            return;
        }
        var iov = _iov!;
        iov.Clear();
        foreach (var s in chain.Readable) iov.TryAdd(s.Gpa, s.Len); // at most QueueSize pieces: they all fit
        long n = iov.WriteV(_tap.Fd);
        if (n < 0) Count(ref _txDropped, "the tap refused a transmit frame (errno {0})", -n);
        else Interlocked.Increment(ref _txPackets);
    }

    public void Reset()
    {
        // Back to no offloads, so what waits in the tap suits whatever driver comes next (frames already
        // queued with a partial checksum for the old driver are the one leftover: see docs/engine.md).
        try { _tap.SetOffload(0); }
        catch (SysException) { }
        _ctx = null;
        _txChain = null;
        _iov = null;
        _tapWatch = null;
        _stash = [];
        _stashHead = _stashCount = 0;
        _stashBytes = 0;
        _pendLen = 0;
    }

    public void Dispose()
    {
        _tap.Dispose();
        _txMore.Dispose();
    }
}
