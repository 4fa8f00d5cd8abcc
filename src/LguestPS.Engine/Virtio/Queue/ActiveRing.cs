using System.Runtime.InteropServices;

namespace LguestPS.Engine.Virtio.Queue;

/*L:360
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
