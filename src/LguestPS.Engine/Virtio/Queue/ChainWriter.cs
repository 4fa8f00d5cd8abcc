using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Virtio.Queue;

/*L:390
 * Writing a reply into a chain. §2.7.8.2: the used length is the number of
 * bytes the device wrote "beginning at the first device-writable buffer", so
 * the writer is a cursor from that first byte, and Written (where the cursor
 * stands) is what PushUsed reports. Skipping forward with Advance counts as
 * written: a block device that fails a read still has to put its status in
 * the last byte, and the driver then sees every byte up to it as ours. That
 * is the guest's own memory it sees, never the host's.
 */
public sealed class ChainWriter
{
    private readonly GuestMemory _mem;
    private readonly DescChain _chain;
    private int _seg;      // index into chain.Writable
    private uint _off;     // bytes written into that segment

    internal ChainWriter(GuestMemory mem, DescChain chain) { _mem = mem; _chain = chain; }

    /// <summary>Bytes written (or skipped) so far: the used length.</summary>
    public uint Written { get; private set; }

    /// <summary>Room left.</summary>
    public uint Remaining => _chain.WritableBytes - Written;

    internal void Rewind() { _seg = 0; _off = 0; Written = 0; }

    /// <summary>
    /// The next contiguous piece of writable guest memory, at most <paramref name="max"/> bytes; fill it,
    /// then call Advance with what you filled. Empty when the chain is full. For read(2)/pread(2)/getrandom(2).
    /// </summary>
    public Span<byte> GetSpan(int max = int.MaxValue)
    {
        var segs = _chain.Writable;
        if (_seg >= segs.Length || max <= 0) return default;
        var s = segs[_seg];
        int n = (int)Math.Min(s.Len - _off, (uint)max);
        return _mem.Slice(s.Gpa + _off, n);
    }

    /// <summary>Moves the cursor <paramref name="count"/> bytes on (clamped to the room left), across segments.</summary>
    public void Advance(uint count)
    {
        var segs = _chain.Writable;
        count = Math.Min(count, Remaining);
        Written += count;
        while (count > 0)
        {
            uint step = Math.Min(count, segs[_seg].Len - _off);
            _off += step; count -= step;
            if (_off == segs[_seg].Len) { _seg++; _off = 0; }
        }
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits; returns how many bytes were written.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            var piece = GetSpan(data.Length - done);
            if (piece.IsEmpty) break;
            data.Slice(done, piece.Length).CopyTo(piece);
            done += piece.Length;
            Advance((uint)piece.Length);
        }
        return done;
    }

    /// <summary>Writes one value if it fits whole; otherwise writes nothing and returns false.</summary>
    public bool TryWrite<T>(T value) where T : unmanaged
    {
        if (Remaining < (uint)Unsafe.SizeOf<T>()) return false;
        Write(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1)));
        return true;
    }
}
