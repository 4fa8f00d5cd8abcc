using static LguestPS.Engine.Virtio.Queue.VirtqAbi;

namespace LguestPS.Engine.Virtio.Queue;

public sealed partial class Virtqueue
{
    /*L:430
     * Giving a buffer back. §2.7.8.2: the element (id and len) must be in
     * place before used->idx moves past it, so the element is written plainly
     * and the index with release ordering (Volatile.Write): the driver that
     * sees the new idx sees the element. On x86 stores are not reordered with
     * stores; the Volatile keeps the compiler from doing it.
     *
     * The index we publish is our own count, never re-read from the ring.
     */
    /// <summary>Returns a popped chain to the driver with used length = chain.Writer.Written.</summary>
    public void PushUsed(DescChain chain) => PushUsed(chain, chain.Writer.Written);

    /// <summary>Returns a popped chain to the driver with an explicit used length (bytes written).</summary>
    public void PushUsed(DescChain chain, uint len) => PushUsed(chain, len, publish: true);

    /*
     * Some replies span several chains (virtio-net's mergeable receive
     * buffers, §5.1.6.4: the first chain's header says how many follow), and
     * a driver that sees the first element before the others may give up on
     * the packet. So a device can write the elements first and move used->idx
     * once for all of them (what QEMU calls fill, then flush).
     */
    /// <summary>
    /// Writes the used element; with <paramref name="publish"/> false, used->idx does not move yet and the
    /// driver sees nothing until PublishUsed(). Call NeedsInterrupt only after publishing.
    /// </summary>
    public void PushUsed(DescChain chain, uint len, bool publish)
    {
        var owner = chain.Owner ?? throw new InvalidOperationException("virtqueue chain pushed twice, or never popped");
        chain.Owner = null;
        var r = Volatile.Read(ref _ring);
        if (!ReferenceEquals(owner, r)) return; // popped before a reset: that ring is gone, drop it

        ulong elem = r.UsedRing + 8 * (ulong)(r.UsedIdx & r.Mask);
        _mem.Write<uint>(elem, chain.Head);
        _mem.Write<uint>(elem + 4, len);
        r.UsedIdx++;
        r.PendingUsed++;
        if (publish) Volatile.Write(ref _mem.Ref<ushort>(r.UsedIdxGpa), r.UsedIdx);
    }

    /// <summary>Makes every element pushed so far visible to the driver (release-orders them before used->idx).</summary>
    public void PublishUsed()
    {
        var r = Volatile.Read(ref _ring);
        if (r is not null) Volatile.Write(ref _mem.Ref<ushort>(r.UsedIdxGpa), r.UsedIdx);
    }

    /*L:440
     * Does the driver want an interrupt for what we just used? Ask once per
     * batch, after the PushUsed calls.
     *
     * §2.7.7.2: without VIRTIO_F_EVENT_IDX, the driver's VIRTQ_AVAIL_F_NO_INTERRUPT
     * flag says "don't bother". With it, the flag is ignored and used_event
     * (just past the avail ring) names the used index the driver waits for:
     * interrupt if our used index stepped over it since the last decision.
     *
     * The driver writes used_event and then re-reads used->idx; we write
     * used->idx and then read used_event. Each side's store must be visible
     * before its load, which only a full barrier (store-load) guarantees:
     * without it, both could miss each other and the driver would sleep on
     * buffers we already returned.
     */
    /// <summary>True if the driver wants a used-buffer notification for the elements pushed since the last call.</summary>
    public bool NeedsInterrupt()
    {
        var r = Volatile.Read(ref _ring);
        if (r is null || r.PendingUsed == 0) return false;

        Interlocked.MemoryBarrier();
        int pending = r.PendingUsed;
        ushort old = r.SignalledUsed, now = r.UsedIdx;
        r.PendingUsed = 0;
        r.SignalledUsed = now;

        if (!r.EventIdx)
            return (Volatile.Read(ref _mem.Ref<ushort>(r.AvailFlags)) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
        if (pending >= 65536)
            return true; // the 16-bit window wrapped since we last asked: any event index was passed
        return NeedEvent(Volatile.Read(ref _mem.Ref<ushort>(r.UsedEvent)), now, old);
    }

    /*L:450
     * The mirror image, for kicks (§2.7.10): while a worker is draining the
     * ring, a kick per buffer is wasted work for both sides. Without event
     * idx we raise VIRTQ_USED_F_NO_NOTIFY; with it, the flags must stay 0
     * (§2.7.10.2) and we simply leave avail_event behind: the driver kicks
     * only when its index crosses avail_event, which it already passed.
     */
    /// <summary>Asks the driver not to kick while we drain the ring (a hint: kicks may still come).</summary>
    public void DisableNotifications()
    {
        var r = Volatile.Read(ref _ring);
        if (r is null || r.EventIdx) return;
        Volatile.Write(ref _mem.Ref<ushort>(r.UsedFlags), VIRTQ_USED_F_NO_NOTIFY);
    }

    /*L:460
     * Before sleeping, ask for kicks again: clear NO_NOTIFY, or set avail_event
     * to the next entry we will consume. Then the classic race: the driver may
     * have published a buffer after our last look but before it could see the
     * request, and so decided not to kick. Our store (flags / avail_event) and
     * its store (avail->idx) each precede the other side's load, so a full
     * barrier sits between ours and the re-read of avail->idx; if anything
     * arrived, the caller drains again instead of sleeping through it.
     */
    /// <summary>Asks for kicks again. Returns true if buffers are already waiting: pop again before sleeping.</summary>
    public bool EnableNotifications()
    {
        var r = Volatile.Read(ref _ring);
        if (r is null || r.Broken) return false;
        if (r.EventIdx)
            Volatile.Write(ref _mem.Ref<ushort>(r.AvailEvent), r.LastAvail);
        else
            Volatile.Write(ref _mem.Ref<ushort>(r.UsedFlags), (ushort)0);
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _mem.Ref<ushort>(r.AvailIdx)) != r.LastAvail;
    }

    /// <summary>True if the driver has published buffers we have not popped (a cheap look, for polling; no barrier).</summary>
    public bool HasAvailable()
    {
        var r = Volatile.Read(ref _ring);
        return r is not null && !r.Broken && Volatile.Read(ref _mem.Ref<ushort>(r.AvailIdx)) != r.LastAvail;
    }
}
