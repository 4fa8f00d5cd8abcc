using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Virtio.Queue;

/*L:340
 * The split virtqueue, device side (virtio 1.2 §2.7).
 *
 * A driver hands us buffers by writing descriptors into a table and their
 * head indexes into the available ring; we hand them back through the used
 * ring. All three live in guest RAM, so every number in them is the guest's
 * and we trust none of it: each is checked before it is used, and a bad one
 * ends in a VirtqueueViolation naming the rule, never in a crash, a hang or a
 * touch outside guest RAM (STYLE.md rules 1 and 2).
 *
 * The API, all of it:
 *
 *   Transport (vCPU thread, only while the queue is disabled):
 *     var vq = new Virtqueue(mem, maxSize: 256);    // maxSize: what queue_size offers
 *     vq.Size = ...; vq.DescGpa = ...; vq.AvailGpa = ...; vq.UsedGpa = ...;
 *     vq.EventIdx = ...; vq.IndirectDesc = ...;      // negotiated features
 *     vq.Enable();                                   // queue_enable = 1; checks the layout
 *     vq.Reset();                                    // device reset: back to power-on state
 *
 *   Device (its worker thread, while enabled):
 *     var chain = vq.NewChain();                     // once, up front: no allocation per request
 *     do {
 *         vq.DisableNotifications();                 // no kicks while we drain
 *         while (vq.TryPop(chain)) {                 // validated chain, or VirtqueueViolation
 *             chain.Reader.TryRead(out hdr);         // device-readable bytes, in order
 *             chain.Writer.Write(reply);             // device-writable bytes, in order
 *             vq.PushUsed(chain);                    // used len = chain.Writer.Written
 *         }
 *         if (vq.NeedsInterrupt()) raiseIrq();       // driver's NO_INTERRUPT / used_event
 *     } while (vq.EnableNotifications());            // true: more arrived meanwhile, go again
 *     ... sleep on the queue's ioeventfd ...
 *
 * A chain holds at most MaxSize buffers, direct and indirect together
 * (§2.7.5.3.1), so a device that advertises a segment limit (virtio-blk's
 * SEG_MAX) keeps it at MaxSize - 2 or less, room for header and status.
 *
 * Concurrency contract: one worker thread owns a queue's data path (TryPop,
 * PushUsed, NeedsInterrupt, Disable/EnableNotifications, the chain). The vCPU
 * thread sets configuration and calls Enable() only while the queue is
 * disabled, and calls Reset() after the transport has stopped the worker from
 * serving it (the thread start or eventfd that wakes a worker is the memory
 * barrier that publishes the configuration). Even a worker that races a
 * Reset() stays memory-safe: it holds the checked layout it started with.
 *
 * Every call a guest's actions can reach throws only VirtqueueViolation; the
 * transport catches it, sets DEVICE_NEEDS_RESET and logs
 * "<device> queue <n>: <message>". InvalidOperationException means a bug of
 * ours (pushing a chain twice), never the guest's.
 */
public sealed partial class Virtqueue
{
    private readonly GuestMemory _mem;
    private ActiveRing? _ring;
    private ushort _size;
    private ulong _desc, _avail, _used;
    private bool _eventIdx, _indirect;

    /// <summary>A queue in its power-on state: disabled, size = <paramref name="maxSize"/>.</summary>
    /// <param name="maxSize">What the device offers in queue_size: a power of 2, at most 32768.</param>
    public Virtqueue(GuestMemory mem, ushort maxSize)
    {
        if (maxSize == 0 || maxSize > VirtqAbi.MaxQueueSize || (maxSize & (maxSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(maxSize), "a split queue's size is a power of 2 up to 32768");
        _mem = mem;
        MaxSize = maxSize;
        _size = maxSize;
    }

    /// <summary>The most descriptors the device offers; also the longest chain we accept (§2.7.5.3.1).</summary>
    public ushort MaxSize { get; }

    /// <summary>The driver's queue size (§2.7: a power of 2, 1..MaxSize). Checked at Enable().</summary>
    public ushort Size { get => _size; set { Configuring(); _size = value; } }

    /// <summary>Guest-physical address of the descriptor table (16-aligned).</summary>
    public ulong DescGpa { get => _desc; set { Configuring(); _desc = value; } }

    /// <summary>Guest-physical address of the available ring, the driver area (2-aligned).</summary>
    public ulong AvailGpa { get => _avail; set { Configuring(); _avail = value; } }

    /// <summary>Guest-physical address of the used ring, the device area (4-aligned).</summary>
    public ulong UsedGpa { get => _used; set { Configuring(); _used = value; } }

    /// <summary>VIRTIO_F_EVENT_IDX was negotiated: use used_event/avail_event instead of the flags.</summary>
    public bool EventIdx { get => _eventIdx; set { Configuring(); _eventIdx = value; } }

    /// <summary>VIRTIO_F_INDIRECT_DESC was negotiated: indirect tables are allowed.</summary>
    public bool IndirectDesc { get => _indirect; set { Configuring(); _indirect = value; } }

    /// <summary>True between Enable() and Reset().</summary>
    public bool Enabled => Volatile.Read(ref _ring) is not null;

    /// <summary>True once the driver broke a rule on the data path: nothing is popped until Reset().</summary>
    public bool Broken => Volatile.Read(ref _ring)?.Broken ?? false;

    // §4.1.4.3.2: the driver configures a queue before it enables it, never after.
    private void Configuring()
    {
        if (Enabled)
            throw new VirtqueueViolation(VqRule.ConfigWhileEnabled, "queue size and addresses are fixed once queue_enable is 1");
    }

    /*L:350
     * queue_enable = 1. This is the moment to check the whole layout, once, so
     * that nothing on the data path needs to: §2.7 gives each part its size and
     * alignment, and GuestMemory.Contains does the overflow-safe range check
     * (an address near 2^64 plus a length wraps to a small number, and
     * Contains refuses exactly that). A queue that passes here can read and
     * write its rings without ever meeting a GuestMemoryException.
     */
    /// <summary>Checks the layout and starts the ring at index 0. Enabling an enabled queue does nothing.</summary>
    public void Enable()
    {
        if (Enabled) return;
        int size = _size;
        if (size == 0 || size > MaxSize || (size & (size - 1)) != 0)
            throw new VirtqueueViolation(VqRule.QueueSize, $"size {size}, device offers {MaxSize}");
        if (_desc % 16 != 0 || _avail % 2 != 0 || _used % 4 != 0)
            throw new VirtqueueViolation(VqRule.RingAlignment,
                $"desc 0x{_desc:x} (16), avail 0x{_avail:x} (2), used 0x{_used:x} (4)");
        CheckPart("descriptor table", _desc, VirtqAbi.DescTableBytes(size));
        CheckPart("available ring", _avail, VirtqAbi.AvailRingBytes(size));
        CheckPart("used ring", _used, VirtqAbi.UsedRingBytes(size));
        Volatile.Write(ref _ring, new ActiveRing((ushort)size, MaxSize, _desc, _avail, _used, _eventIdx, _indirect));
    }

    private void CheckPart(string what, ulong gpa, ulong len)
    {
        if (!_mem.Contains(gpa, len))
            throw new VirtqueueViolation(VqRule.RingOutsideRam, $"{what} [0x{gpa:x}, +0x{len:x})");
    }

    /// <summary>Device reset: disabled, size back to MaxSize, addresses and features cleared.</summary>
    public void Reset()
    {
        Volatile.Write(ref _ring, null);
        _size = MaxSize;
        _desc = _avail = _used = 0;
        _eventIdx = _indirect = false;
    }

    /// <summary>A reusable chain with room for the longest chain this queue accepts. Allocate once per worker.</summary>
    public DescChain NewChain() => new(_mem, MaxSize);
}
