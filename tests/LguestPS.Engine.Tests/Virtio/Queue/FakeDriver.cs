using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;
using static LguestPS.Engine.Virtio.Queue.VirtqAbi;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/// <summary>One buffer a test driver puts in a chain.</summary>
internal readonly record struct Buf(ulong Gpa, uint Len, bool Write = false);

/*
 * The driver half of a split ring, in plain memory: no KVM, no PCI. It lays
 * out the three ring parts the way Linux's virtio_ring does (desc, then avail,
 * then used, each aligned), fills descriptors, publishes heads, reads the
 * used ring back, and plays the driver's side of both suppression schemes.
 * It also has raw writers so hostile tests can put any number anywhere.
 *
 * The normal path (AddChain/Publish/TryTakeUsed) allocates nothing, so the
 * steady-state allocation test can run it in its loop.
 */
internal sealed class FakeDriver
{
    public const ulong DataBase = 0x40000;   // buffers for tests live from here
    public const ulong TableBase = 0x20000;  // indirect tables from here

    public GuestMemory Mem { get; }
    public ushort Size { get; }
    public ulong Desc { get; }
    public ulong Avail { get; }
    public ulong Used { get; }

    private ushort _nextDesc;
    private ushort _availIdx;
    private ushort _lastUsed;

    public FakeDriver(GuestMemory mem, ushort size, ulong baseGpa = 0x1000)
    {
        Mem = mem;
        Size = size;
        Desc = baseGpa;
        Avail = Desc + DescTableBytes(size);
        Used = (Avail + AvailRingBytes(size) + 3) & ~3UL;
    }

    /// <summary>A queue configured for this layout and enabled.</summary>
    public Virtqueue CreateQueue(ushort maxSize = 0, bool eventIdx = false, bool indirect = true)
    {
        var vq = new Virtqueue(Mem, maxSize == 0 ? Size : maxSize);
        vq.Size = Size;
        vq.DescGpa = Desc;
        vq.AvailGpa = Avail;
        vq.UsedGpa = Used;
        vq.EventIdx = eventIdx;
        vq.IndirectDesc = indirect;
        vq.Enable();
        return vq;
    }

    /// <summary>The next used index the driver will take.</summary>
    public ushort LastUsed => _lastUsed;

    /// <summary>The driver's avail->idx as it last published it.</summary>
    public ushort AvailIdx => _availIdx;

    public static void WriteDesc(GuestMemory mem, ulong table, int i, ulong addr, uint len, ushort flags, ushort next)
    {
        ulong d = table + 16 * (ulong)i;
        mem.Write(d, addr);
        mem.Write(d + 8, len);
        mem.Write(d + 12, flags);
        mem.Write(d + 14, next);
    }

    public void WriteDesc(int i, ulong addr, uint len, ushort flags, ushort next = 0) =>
        WriteDesc(Mem, Desc, i, addr, len, flags, next);

    /// <summary>Lays a chain into consecutive free descriptors and returns its head (not yet published).</summary>
    public ushort AddChain(ReadOnlySpan<Buf> bufs)
    {
        ushort head = _nextDesc;
        for (int k = 0; k < bufs.Length; k++)
        {
            ushort i = (ushort)((head + k) % Size);
            bool last = k == bufs.Length - 1;
            ushort flags = (ushort)((bufs[k].Write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT));
            WriteDesc(i, bufs[k].Gpa, bufs[k].Len, flags, (ushort)((i + 1) % Size));
        }
        _nextDesc = (ushort)((head + bufs.Length) % Size);
        return head;
    }

    /// <summary>Writes an indirect table at <paramref name="table"/> and one descriptor pointing at it.</summary>
    public ushort AddIndirect(ulong table, ReadOnlySpan<Buf> bufs)
    {
        for (int k = 0; k < bufs.Length; k++)
        {
            bool last = k == bufs.Length - 1;
            ushort flags = (ushort)((bufs[k].Write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT));
            WriteDesc(Mem, table, k, bufs[k].Gpa, bufs[k].Len, flags, (ushort)(k + 1));
        }
        ushort head = _nextDesc;
        WriteDesc(head, table, (uint)(16 * bufs.Length), VIRTQ_DESC_F_INDIRECT);
        _nextDesc = (ushort)((head + 1) % Size);
        return head;
    }

    /// <summary>avail->ring[idx % size] = head, then (release) avail->idx++ (§2.7.13).</summary>
    public void Publish(ushort head)
    {
        Mem.Write<ushort>(Avail + 4 + 2 * (ulong)(_availIdx % Size), head);
        _availIdx++;
        Volatile.Write(ref Mem.Ref<ushort>(Avail + 2), _availIdx);
    }

    public ushort AddAndPublish(ReadOnlySpan<Buf> bufs)
    {
        ushort head = AddChain(bufs);
        Publish(head);
        return head;
    }

    // Raw writes for hostile tests.
    public void SetAvailIdx(ushort idx) { _availIdx = idx; Mem.Write<ushort>(Avail + 2, idx); }
    public void SetRing(int slot, ushort head) => Mem.Write<ushort>(Avail + 4 + 2 * (ulong)slot, head);

    /// <summary>VIRTQ_AVAIL_F_NO_INTERRUPT on or off.</summary>
    public bool NoInterrupt { set => Mem.Write<ushort>(Avail, value ? VIRTQ_AVAIL_F_NO_INTERRUPT : (ushort)0); }

    /// <summary>avail->used_event (with VIRTIO_F_EVENT_IDX).</summary>
    public ushort UsedEvent { set => Mem.Write<ushort>(Avail + 4 + 2 * (ulong)Size, value); }

    public ushort UsedFlags => Mem.Read<ushort>(Used);
    public ushort UsedIdx => Volatile.Read(ref Mem.Ref<ushort>(Used + 2));
    public ushort AvailEvent => Mem.Read<ushort>(Used + 4 + 8 * (ulong)Size);

    /// <summary>The next used element, if the device has published one we have not taken.</summary>
    public bool TryTakeUsed(out uint id, out uint len)
    {
        id = len = 0;
        if (UsedIdx == _lastUsed) return false;
        ulong e = Used + 4 + 8 * (ulong)(_lastUsed % Size);
        id = Mem.Read<uint>(e);
        len = Mem.Read<uint>(e + 4);
        _lastUsed++;
        return true;
    }

    /// <summary>The driver's kick decision after publishing from <paramref name="oldIdx"/> to AvailIdx (§2.7.10.1).</summary>
    public bool WouldKick(ushort oldIdx, bool eventIdx)
    {
        Interlocked.MemoryBarrier();
        return eventIdx
            ? NeedEvent(AvailEvent, _availIdx, oldIdx)
            : (UsedFlags & VIRTQ_USED_F_NO_NOTIFY) == 0;
    }

    public void Fill(ulong gpa, int len, byte value) => Mem.Slice(gpa, len).Fill(value);
}
