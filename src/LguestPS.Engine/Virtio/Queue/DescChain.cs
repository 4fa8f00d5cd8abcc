using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Virtio.Queue;

/*L:370
 * A popped descriptor chain, made safe to use. The arrays are sized once, for
 * the longest chain the queue accepts, so popping a request allocates
 * nothing: the same chain object is refilled for each one.
 *
 * §2.7.4.2 puts every device-readable buffer before every device-writable
 * one, so one array holds both: [0, readable) then [readable, readable +
 * writable). Zero-length descriptors count towards the chain's length but
 * are not kept: they carry no bytes and their address is never used.
 *
 * The segments point into guest memory the driver still owns and may change
 * while we look. Copy a header out (Reader.TryRead) before deciding anything
 * on it; never read the same field twice and expect the same answer.
 */
public sealed class DescChain
{
    private readonly VqSegment[] _segs;
    private int _readable, _writable;

    internal DescChain(GuestMemory mem, int capacity)
    {
        _segs = new VqSegment[capacity];
        Reader = new ChainReader(mem, this);
        Writer = new ChainWriter(mem, this);
    }

    /// <summary>The head descriptor index: what the used ring gives back to the driver.</summary>
    public ushort Head { get; private set; }

    /// <summary>The device-readable buffers (the driver's "out"), in chain order.</summary>
    public ReadOnlySpan<VqSegment> Readable => _segs.AsSpan(0, _readable);

    /// <summary>The device-writable buffers (the driver's "in"), in chain order.</summary>
    public ReadOnlySpan<VqSegment> Writable => _segs.AsSpan(_readable, _writable);

    /// <summary>Total device-readable bytes.</summary>
    public uint ReadableBytes { get; private set; }

    /// <summary>Total device-writable bytes.</summary>
    public uint WritableBytes { get; private set; }

    /// <summary>Copies out of the device-readable buffers, across segment boundaries.</summary>
    public ChainReader Reader { get; }

    /// <summary>Copies into the device-writable buffers and counts the bytes for the used length.</summary>
    public ChainWriter Writer { get; }

    /// <summary>How many buffers this chain object can hold (the queue's MaxSize).</summary>
    public int Capacity => _segs.Length;

    /// <summary>The ring this chain was popped from and not yet pushed back to; null when idle.</summary>
    internal ActiveRing? Owner { get; set; }

    internal void Begin(ushort head)
    {
        Owner = null;
        Head = head;
        _readable = _writable = 0;
        ReadableBytes = WritableBytes = 0;
    }

    // The caller has checked the range and the ordering; here we only store.
    internal bool TryAdd(ulong gpa, uint len, bool writable)
    {
        int n = _readable + _writable;
        if (n == _segs.Length) return false;
        _segs[n] = new VqSegment(gpa, len);
        if (writable) { _writable++; WritableBytes += len; }
        else { _readable++; ReadableBytes += len; }
        return true;
    }

    internal void Finish(ActiveRing owner)
    {
        Reader.Rewind();
        Writer.Rewind();
        Owner = owner;
    }
}
