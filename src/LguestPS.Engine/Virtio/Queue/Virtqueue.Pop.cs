using static LguestPS.Engine.Virtio.Queue.VirtqAbi;

namespace LguestPS.Engine.Virtio.Queue;

public sealed partial class Virtqueue
{
    /*L:400
     * Taking the next request off the available ring.
     *
     * §2.7.13: the driver fills descriptors and ring entries, then (after a
     * barrier) bumps avail->idx. So we read idx first, with acquire ordering,
     * and only then the ring entry and the descriptors it names. On x86 loads
     * are not reordered with loads anyway; Volatile.Read keeps the JIT honest.
     *
     * The index is free-running: the number of new entries is (idx - last)
     * in 16 bits, and can never honestly exceed the ring's size (§2.7.13
     * notes the ring cannot overflow). More than that means the driver is
     * lying about what it published, and we stop.
     *
     * Nothing about our position moves until the whole chain has checked out,
     * and a violation marks the ring broken: a driver that broke a rule gets
     * no further service until it resets the device.
     */
    /// <summary>
    /// Pops the next available chain into <paramref name="chain"/>, validated. False when the ring is
    /// empty (or disabled, or broken). Throws VirtqueueViolation when the driver broke a rule.
    /// </summary>
    public bool TryPop(DescChain chain)
    {
        var r = Volatile.Read(ref _ring);
        if (r is null || r.Broken) return false;

        ushort availIdx = Volatile.Read(ref _mem.Ref<ushort>(r.AvailIdx));
        ushort waiting = (ushort)(availIdx - r.LastAvail);
        if (waiting == 0) return false;
        if (waiting > r.Size)
            throw Violation(r, VqRule.AvailIndexJump,
                $"avail idx {availIdx}, last seen {r.LastAvail}, queue size {r.Size}");

        ushort head = _mem.Read<ushort>(r.AvailRing + 2 * (ulong)(r.LastAvail & r.Mask));
        if (head >= r.Size)
            throw Violation(r, VqRule.HeadOutOfRange, $"head {head}, queue size {r.Size}");

        chain.Begin(head);
        Walk(r, chain, head);
        r.LastAvail++;
        chain.Finish(r);
        return true;
    }

    /*L:410
     * Walking a chain: the seed's loop, with every number checked.
     *
     * Each descriptor is copied out of guest memory once (the driver may be
     * rewriting it as we read) and only the copy is used. A chain is bounded
     * three ways, so a pop is bounded work whatever the guest wrote:
     *  - in a table of n entries, visiting more than n descriptors means we are
     *    going round a loop (§2.7.5.2 forbids loops);
     *  - a `next` must name an entry of the table it is in;
     *  - the whole chain, direct part and indirect table together, holds at
     *    most MaxSize buffers (§2.7.5.3.1), which is also the room in a chain.
     *
     * §2.7.5.3: an indirect descriptor points at a table of descriptors that
     * stands in for the rest of the chain. It may end a direct chain
     * (§2.7.5.3.2 says we must handle that), it may not carry NEXT, and a
     * table may not contain another indirect descriptor. Its own WRITE flag
     * means nothing and is ignored (§2.7.5.3.2).
     */
    private void Walk(ActiveRing r, DescChain chain, ushort head)
    {
        ulong table = r.Desc;
        uint entries = r.Size;
        uint i = head, visited = 0;
        bool indirect = false, sawWritable = false;
        ulong bytes = 0;

        while (true)
        {
            if (++visited > entries)
                throw Violation(r, VqRule.ChainLoop,
                    $"head {head}: more than {entries} descriptors in {(indirect ? "an indirect table" : "the table")}");

            VirtqDesc d = _mem.Read<VirtqDesc>(table + DescSize * (ulong)i);

            if ((d.Flags & VIRTQ_DESC_F_INDIRECT) != 0)
            {
                EnterIndirect(r, head, in d, indirect);
                table = d.Addr;
                entries = d.Len / DescSize;
                i = 0; visited = 0; indirect = true;
                continue;
            }

            bool writable = (d.Flags & VIRTQ_DESC_F_WRITE) != 0;
            if (!writable && sawWritable)
                throw Violation(r, VqRule.ReadableAfterWritable, $"head {head}, descriptor {i}");
            sawWritable |= writable;

            bytes += d.Len;
            if (bytes > uint.MaxValue)
                throw Violation(r, VqRule.ChainTooManyBytes, $"head {head}: {bytes} bytes and counting");

            if (d.Len != 0)
            {
                if (!_mem.Contains(d.Addr, d.Len))
                    throw Violation(r, VqRule.BufferOutsideRam, $"head {head}, descriptor {i}: [0x{d.Addr:x}, +0x{d.Len:x})");
                if (!chain.TryAdd(d.Addr, d.Len, writable))
                    throw Violation(r, VqRule.ChainTooLong, $"head {head}: more than {r.MaxSize} buffers");
            }

            if ((d.Flags & VIRTQ_DESC_F_NEXT) == 0)
                return;
            if (d.Next >= entries)
                throw Violation(r, VqRule.NextOutOfRange,
                    $"head {head}, descriptor {i}: next {d.Next}, table of {entries}");
            i = d.Next;
        }
    }

    private void EnterIndirect(ActiveRing r, ushort head, in VirtqDesc d, bool alreadyIndirect)
    {
        if (alreadyIndirect)
            throw Violation(r, VqRule.NestedIndirect, $"head {head}");
        if (!r.Indirect)
            throw Violation(r, VqRule.IndirectNotNegotiated, $"head {head}");
        if ((d.Flags & VIRTQ_DESC_F_NEXT) != 0)
            throw Violation(r, VqRule.IndirectWithNext, $"head {head}");
        if (d.Len == 0 || d.Len % DescSize != 0 || d.Len / DescSize > r.MaxSize)
            throw Violation(r, VqRule.IndirectTableSize, $"head {head}: {d.Len} bytes, at most {r.MaxSize} entries of 16");
        if (!_mem.Contains(d.Addr, d.Len))
            throw Violation(r, VqRule.IndirectTableOutsideRam, $"head {head}: [0x{d.Addr:x}, +0x{d.Len:x})");
    }

    private static VirtqueueViolation Violation(ActiveRing r, VqRule rule, string detail)
    {
        r.Broken = true;
        return new VirtqueueViolation(rule, detail);
    }
}
