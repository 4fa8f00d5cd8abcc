using System.Runtime.InteropServices;

namespace LguestPS.Engine.Virtio;

/*L:310
 * The split ring as the guest lays it out (virtio 1.2 §2.7). Three parts, each
 * written by one side only:
 *
 *   descriptor table  16 * size bytes, 16-aligned   driver writes, we read
 *   available ring    6 + 2 * size,     2-aligned   driver writes, we read
 *       le16 flags; le16 idx; le16 ring[size]; le16 used_event;
 *   used ring         6 + 8 * size,     4-aligned   we write, driver reads
 *       le16 flags; le16 idx; { le32 id; le32 len; } ring[size]; le16 avail_event;
 *
 * Everything is little-endian, as x86 is. The names are the spec's.
 */
public static class VirtqAbi
{
    // §2.7.5: struct virtq_desc flags.
    public const ushort VIRTQ_DESC_F_NEXT = 1;
    public const ushort VIRTQ_DESC_F_WRITE = 2;
    public const ushort VIRTQ_DESC_F_INDIRECT = 4;

    // §2.7.6 / §2.7.8: the one flag each side may raise to hush the other.
    public const ushort VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    public const ushort VIRTQ_USED_F_NO_NOTIFY = 1;

    // §6: the ring feature bits the transport negotiates and hands to the queue.
    public const int VIRTIO_F_INDIRECT_DESC = 28;
    public const int VIRTIO_F_EVENT_IDX = 29;

    /// <summary>§2.7: the largest queue size a split ring can have.</summary>
    public const int MaxQueueSize = 32768;

    public const int DescSize = 16;

    public static ulong DescTableBytes(int size) => (ulong)DescSize * (ulong)size;
    public static ulong AvailRingBytes(int size) => 6 + 2 * (ulong)size;
    public static ulong UsedRingBytes(int size) => 6 + 8 * (ulong)size;

    /*
     * §2.7.7 / §2.7.10: with VIRTIO_F_EVENT_IDX, "notify me when you pass
     * event" means: notify if event lies in [old, new), the indexes moved
     * since the last notification. All in 16-bit arithmetic, so it stays right
     * when the free-running indexes wrap at 65536.
     */
    public static bool NeedEvent(ushort eventIdx, ushort newIdx, ushort oldIdx) =>
        (ushort)(newIdx - eventIdx - 1) < (ushort)(newIdx - oldIdx);
}

/// <summary>struct virtq_desc (§2.7.5). Read whole, once: the guest may change it under us.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct VirtqDesc
{
    public ulong Addr;
    public uint Len;
    public ushort Flags;
    public ushort Next;
}

/*L:320
 * One enabled ring: the layout the driver gave us, frozen when it enabled the
 * queue, plus our private indexes. Enable() builds a new one and Reset()
 * drops it, so a worker that still holds the old one after a reset works on a
 * layout that was checked, never on half-written registers.
 *
 * We keep our own copy of the used index and never read it back from guest
 * memory: the driver can scribble on the used ring, and what it writes there
 * must not steer us.
 */
internal sealed class ActiveRing(ushort size, ushort maxSize, ulong desc, ulong avail, ulong used, bool eventIdx, bool indirect)
{
    public readonly ushort Size = size;
    public readonly ushort Mask = (ushort)(size - 1);
    public readonly ushort MaxSize = maxSize;
    public readonly ulong Desc = desc;
    public readonly bool EventIdx = eventIdx;
    public readonly bool Indirect = indirect;

    public readonly ulong AvailFlags = avail;
    public readonly ulong AvailIdx = avail + 2;
    public readonly ulong AvailRing = avail + 4;
    public readonly ulong UsedEvent = avail + 4 + 2 * (ulong)size;
    public readonly ulong UsedFlags = used;
    public readonly ulong UsedIdxGpa = used + 2;
    public readonly ulong UsedRing = used + 4;
    public readonly ulong AvailEvent = used + 4 + 8 * (ulong)size;

    /// <summary>The next avail ring slot we will consume (free-running, wraps at 65536).</summary>
    public ushort LastAvail;
    /// <summary>The used index we last published.</summary>
    public ushort UsedIdx;
    /// <summary>The used index when we last decided about an interrupt.</summary>
    public ushort SignalledUsed;
    /// <summary>Used elements added since that decision.</summary>
    public int PendingUsed;
    /// <summary>Set on a violation: the ring is not popped again until reset.</summary>
    public bool Broken;
}
