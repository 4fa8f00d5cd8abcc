using LguestPS.Engine.Interop;
using Tmds.Linux;

namespace LguestPS.Engine.Memory;

/*L:030
 * Scatter-gather I/O between a descriptor and guest RAM, for a device whose
 * request is spread over several buffers (a network frame over a chain of
 * descriptors): one readv or writev instead of a copy or a call per piece.
 *
 * It lives here because an iovec is a list of host addresses, and host
 * addresses of guest RAM never leave this layer (STYLE.md rule 1). Each piece
 * is checked by the same gate as every other access when it is added; the
 * list itself stays private, and the kernel is the only one to follow it. The
 * array is allocated once, so an I/O costs no allocation. Like a Slice, an
 * entry is valid only while the VM's RAM is mapped.
 */
public sealed class GuestIoVec
{
    private readonly GuestMemory _mem;
    private readonly iovec[] _iov;   // one spare slot at the end, for ReadV's spill buffer

    /// <param name="capacity">Most pieces of guest RAM in one call (at most IOV_MAX - 1).</param>
    public GuestIoVec(GuestMemory mem, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, Uio.IOV_MAX - 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _mem = mem;
        _iov = new iovec[capacity + 1];
    }

    /// <summary>Pieces added since Clear.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes those pieces cover.</summary>
    public long Bytes { get; private set; }

    /// <summary>Room for how many more pieces.</summary>
    public int Free => _iov.Length - 1 - Count;

    public void Clear()
    {
        Count = 0;
        Bytes = 0;
    }

    /// <summary>
    /// Appends [gpa, gpa+len). False (nothing added) when the list is full; GuestMemoryException when the
    /// range is not wholly inside guest RAM. Zero-length pieces are accepted and skipped.
    /// </summary>
    // SAFETY: the address taken is of a Slice the gate checked (all len bytes inside guest RAM); guest RAM
    // is an unmovable mapping, so the address outlives the fixed block, and stays valid while the VM's RAM is mapped.
    public unsafe bool TryAdd(ulong gpa, uint len)
    {
        if (len == 0) return true;
        if (Count == _iov.Length - 1) return false;
        var s = _mem.Slice(gpa, (int)Math.Min(len, int.MaxValue));   // the gate
        if ((uint)s.Length != len) throw new GuestMemoryException(gpa, len);
        fixed (byte* p = s)
        {
            _iov[Count].iov_base = p;
            _iov[Count].iov_len = len;
        }
        Count++;
        Bytes += len;
        return true;
    }

    /// <summary>
    /// readv(2) into the pieces, then into <paramref name="spill"/> (host memory for whatever did not fit).
    /// Returns the bytes read, or -errno (-EAGAIN when nothing is waiting on a non-blocking descriptor).
    /// </summary>
    // SAFETY: the iovec array and the spill span are pinned for the call; entries 0..Count-1 describe
    // checked guest RAM and the last the spill span, so the kernel writes only there.
    public unsafe long ReadV(SafeFd fd, Span<byte> spill = default)
    {
        fixed (byte* s = spill)
        fixed (iovec* iov = _iov)
        {
            int n = Count;
            if (!spill.IsEmpty)
            {
                iov[n].iov_base = s;
                iov[n].iov_len = (size_t)(ulong)spill.Length;
                n++;
            }
            return Uio.readv(fd, iov, n);
        }
    }

    /// <summary>writev(2) from the pieces, in order. Returns the bytes written, or -errno.</summary>
    // SAFETY: the iovec array is pinned for the call and its first Count entries describe checked guest RAM.
    public unsafe long WriteV(SafeFd fd)
    {
        fixed (iovec* iov = _iov)
            return Uio.writev(fd, iov, Count);
    }
}
