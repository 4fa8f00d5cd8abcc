using System.Runtime.InteropServices;

namespace LguestPS.Engine.Virtio.Queue;

/*L:330
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
