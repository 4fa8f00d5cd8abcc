using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Virtio.Queue;

/*L:380
 * Reading a request out of a chain. The driver may cut a 16-byte header into
 * a 3-byte and a 13-byte buffer if it likes (§2.7.4: the device must not
 * assume any framing), so the reader walks segment boundaries for us. Each
 * piece is fetched through GuestMemory.Slice, the one gate, even though the
 * segment was already checked when it was popped.
 */
public sealed class ChainReader
{
    private readonly GuestMemory _mem;
    private readonly DescChain _chain;
    private int _seg;      // index into chain.Readable
    private uint _off;     // bytes consumed of that segment

    internal ChainReader(GuestMemory mem, DescChain chain) { _mem = mem; _chain = chain; }

    /// <summary>Bytes consumed so far.</summary>
    public uint Consumed { get; private set; }

    /// <summary>Bytes left to read.</summary>
    public uint Remaining => _chain.ReadableBytes - Consumed;

    internal void Rewind() { _seg = 0; _off = 0; Consumed = 0; }

    /// <summary>
    /// The next contiguous piece of readable guest memory, at most <paramref name="max"/> bytes, without
    /// consuming it (call Advance). Empty when nothing is left. For handing straight to write(2)/pwrite(2).
    /// </summary>
    public ReadOnlySpan<byte> GetSpan(int max = int.MaxValue)
    {
        var segs = _chain.Readable;
        if (_seg >= segs.Length || max <= 0) return default;
        var s = segs[_seg];
        int n = (int)Math.Min(s.Len - _off, (uint)max);
        return _mem.Slice(s.Gpa + _off, n);
    }

    /// <summary>Consumes <paramref name="count"/> bytes (clamped to what is left), across segments.</summary>
    public void Advance(uint count)
    {
        var segs = _chain.Readable;
        count = Math.Min(count, Remaining);
        Consumed += count;
        while (count > 0)
        {
            uint step = Math.Min(count, segs[_seg].Len - _off);
            _off += step; count -= step;
            if (_off == segs[_seg].Len) { _seg++; _off = 0; }
        }
    }

    /// <summary>Copies up to dest.Length bytes; returns how many were copied.</summary>
    public int Read(Span<byte> dest)
    {
        int done = 0;
        while (done < dest.Length)
        {
            var piece = GetSpan(dest.Length - done);
            if (piece.IsEmpty) break;
            piece.CopyTo(dest[done..]);
            done += piece.Length;
            Advance((uint)piece.Length);
        }
        return done;
    }

    /// <summary>Reads one value if enough bytes are left; otherwise consumes nothing and returns false.</summary>
    public bool TryRead<T>(out T value) where T : unmanaged
    {
        value = default;
        int size = Unsafe.SizeOf<T>();
        if (Remaining < (uint)size) return false;
        Read(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1)));
        return true;
    }
}
