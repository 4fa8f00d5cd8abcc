using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Net;

/*L:590
 * Receiving: frames from the tap into the buffers the driver posted.
 *
 * We cannot ask the tap how long its next frame is, only read it, so we
 * read it straight into the buffers we already hold and let the length fall
 * where it may. The buffers we hold are a "stash": chains popped from the
 * receive queue, in order, not yet used. readv gets all of the stash (as far
 * as an iovec reaches) and then a spill area of our own, so a frame is never
 * cut short.
 *
 * Without VIRTIO_NET_F_MRG_RXBUF a frame must fit one chain (§5.1.6.3.1: the
 * driver posts 1526-byte buffers, or 65562-byte "big packets" if it took a
 * TSO feature); we hold one chain, and a frame that spills is dropped.
 *
 * With MRG_RXBUF (§5.1.6.4) a frame may fill several chains, each filled to
 * the brim but the last, and the first one's header says how many in
 * num_buffers. We hold chains until they add up to the largest frame (or the
 * ring runs dry), and whatever spilled is copied into the next chains; if
 * there are none yet, the frame waits in the spill area until the driver
 * posts more. All the chains of a frame are published with one move of
 * used->idx, so the driver never sees the first without the rest.
 *
 * Backpressure: with no buffer to read into, we stop watching the tap and
 * ask the driver for a kick; frames wait in the tap's queue, in the kernel,
 * and nothing is thrown away here. The kick resumes us.
 *
 * Every frame goes out with the used elements of a batch of up to RxBudget
 * frames, and one interrupt if the driver wants it.
 */
public sealed partial class NetDevice
{
    private DescChain?[] _stash = [];
    private int _stashHead, _stashCount;
    private long _stashBytes;
    private readonly byte[] _spill = new byte[MaxPacket];
    private int _pendLen, _pendPrefix;   // a frame waiting for buffers: its length, and the chains readv filled
    private bool _mergeable, _guestCsum, _pushed, _tapDead;
    private FdWatch? _tapWatch;

    /// <summary>True while the tap is not watched: the guest has no buffers, frames wait in the kernel.</summary>
    internal bool ReceivePaused => _tapWatch?.Paused ?? true;

    private DescChain At(int i) => _stash[(_stashHead + i) % _stash.Length]!;

    private void Receive()
    {
        if (_ctx is not { } ctx || _tapWatch is not { } watch) return;
        var vq = ctx.Queues[RxQ];
        int budget = RxBudget;
        bool starved = false;
        _pushed = false;
        vq.DisableNotifications(); // while we hold buffers, the driver need not kick
        while (budget > 0 && !_tapDead)
        {
            TopUp(vq);
            if (_pendLen > 0)
            {
                // A frame waits in the spill area for buffers to hold its rest.
                if (_stashBytes >= _pendLen)
                {
                    Deliver(vq, _pendLen, _pendPrefix);
                    _pendLen = 0;
                    budget--;
                }
                else if (_stashCount == vq.Size)
                {
                    // We hold every buffer the ring can have, and they are not enough: no use waiting.
                    Count(ref _rxDropped, "dropped a {0}-byte frame: all the receive buffers together cannot hold it", _pendLen);
                    _pendLen = 0;
                }
                else if (Starved(vq))
                {
                    starved = true;
                    break;
                }
                continue;
            }
            if (_stashCount == 0)
            {
                if (Starved(vq))
                {
                    starved = true;
                    break;
                }
                continue;
            }
            if (!ReadFrame(vq)) break;
            budget--;
        }
        if (starved || _tapDead) watch.Pause();
        else watch.Resume(); // level-triggered: if frames are still waiting, we are called again
        if (_pushed)
        {
            vq.PublishUsed();
            if (vq.NeedsInterrupt()) ctx.Interrupt(RxQ);
        }
    }

    /// <summary>No buffers. True: wait for the driver's kick. False: some arrived meanwhile, go on.</summary>
    private static bool Starved(Virtqueue vq)
    {
        if (!vq.EnableNotifications()) return true;
        vq.DisableNotifications();
        return false;
    }

    /// <summary>Pops chains into the stash: one without MRG_RXBUF, else until they hold the largest frame.</summary>
    private void TopUp(Virtqueue vq)
    {
        int cap = _mergeable ? _stash.Length : 1;
        while (_stashCount < cap && (_stashCount == 0 || (_mergeable && _stashBytes < MaxPacket)))
        {
            ref var slot = ref _stash[(_stashHead + _stashCount) % _stash.Length];
            slot ??= vq.NewChain();
            if (!vq.TryPop(slot)) return;
            // §5.1.6.3.1: every receive buffer holds at least the header. One that cannot goes straight back, empty.
            if (slot.WritableBytes < TapDevice.VnetHdrSize)
            {
                Malformed("returned a receive chain of {0} writable bytes, shorter than the 12-byte header", slot.WritableBytes);
                vq.PushUsed(slot, 0, publish: false);
                _pushed = true;
                continue;
            }
            _stashCount++;
            _stashBytes += slot.WritableBytes;
        }
    }

    /*
     * One readv: the stash's chains in order, as many as the iovec holds and
     * no further than the largest frame, then the spill area for the rest of
     * that largest frame. The tap reports a frame's whole length even when it
     * had to cut it, so a length past MaxPacket means "cut": dropped.
     */
    /// <summary>Reads one frame. False when the tap has nothing more (or failed): stop for now.</summary>
    private bool ReadFrame(Virtqueue vq)
    {
        var iov = _iov!;
        iov.Clear();
        int prefix = 0;
        long room = MaxPacket;
        for (int i = 0; i < _stashCount && room > 0; i++)
        {
            var segs = At(i).Writable;
            if (segs.Length > iov.Free) break; // this chain waits its turn
            foreach (var s in segs)
            {
                uint take = (uint)Math.Min(s.Len, room);
                iov.TryAdd(s.Gpa, take);
                room -= take;
                if (room == 0) break;
            }
            prefix++;
        }
        long n = iov.ReadV(_tap.Fd, _spill.AsSpan(0, (int)room));
        if (n == -Tmds.Linux.LibC.EAGAIN) return false;
        if (n < 0)
        {
            _tapDead = true;
            Log.Warning($"net {_tap.Name}: reading the tap failed ({Sys.StrError((int)-n)}); the guest receives nothing more");
            return false;
        }
        if (n > MaxPacket || n < TapDevice.VnetHdrSize)
            Count(ref _rxDropped, "dropped a received frame of {0} bytes with its header: not a frame we can deliver", n);
        else if (n <= iov.Bytes)
            Deliver(vq, (int)n, prefix);
        else if (!_mergeable)
            Count(ref _rxDropped, "dropped a {0}-byte received frame: the driver's buffer is smaller and MRG_RXBUF is off", n);
        else
        {
            _pendLen = (int)n; // the rest is in the spill area: wait for enough buffers
            _pendPrefix = prefix;
        }
        return true;
    }

    /*
     * Hands a frame of n bytes to the driver: the first `prefix` chains of the
     * stash hold its start (readv put it there), the spill area the rest,
     * which is copied into the chains after them. §5.1.6.4.2: every chain but
     * the last is used to its full length; num_buffers counts them (1 without
     * MRG_RXBUF, where there is only one); without GUEST_CSUM, flags must be 0.
     */
    private void Deliver(Virtqueue vq, int n, int prefix)
    {
        int k = 0;
        for (long left = n; left > 0; k++) left -= At(k).WritableBytes;

        int remaining = n, spillOff = 0;
        for (int i = 0; i < k; i++)
        {
            var c = At(i);
            int fill = (int)Math.Min(c.WritableBytes, (uint)remaining);
            if (i >= prefix)
            {
                c.Writer.Write(_spill.AsSpan(spillOff, fill));
                spillOff += fill;
            }
            if (i == 0) FixHeader(c, k);
            vq.PushUsed(c, (uint)fill, publish: false);
            remaining -= fill;
            _stashBytes -= c.WritableBytes;
        }
        _stashHead = (_stashHead + k) % _stash.Length;
        _stashCount -= k;
        _pushed = true;
        Interlocked.Increment(ref _rxPackets);
    }

    // The tap wrote the header's first ten bytes and skipped num_buffers: that one is ours (and flags, sometimes).
    private void FixHeader(DescChain first, int numBuffers)
    {
        var w = first.Writer; // chain 0 is always a readv chain: its cursor is still at 0
        if (_guestCsum) w.Advance(1);
        else w.TryWrite((byte)0);
        w.Advance(VirtioNetHdr.NumBuffersOffset - 1);
        w.TryWrite((ushort)numBuffers); // little-endian, as VERSION_1 wants (and x86 is)
    }
}
