using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Memory;

/*L:020
 * The one gate to guest-physical memory.
 *
 * Guest RAM is a single anonymous mapping in our address space. Guest-physical
 * addresses below the MMIO hole map straight onto it; RAM that did not fit
 * below the hole resumes at 4 GiB. Every access names a guest-physical address
 * and a length, and we check both before touching a byte: the sum must not
 * wrap, and the whole access must sit inside one RAM region. Whatever numbers
 * the guest hands us, the worst it can get is an exception naming the address.
 *
 * A Span cannot cover more than 2 GiB, so callers get a checked slice per
 * access, never the whole thing.
 */
public sealed class GuestMemory : IDisposable
{
    private nint _base;                // the mapping's address in our process; 0 once disposed
    private readonly ulong _lowSize;   // RAM in [0, _lowSize)
    private readonly ulong _highSize;  // RAM in [4 GiB, 4 GiB + _highSize)

    /// <summary>Total bytes of guest RAM.</summary>
    public ulong Size { get; }

    /// <summary>Bytes of RAM below the MMIO hole (where initrds, page tables and the zero page must live).</summary>
    public ulong LowSize => _lowSize;

    /// <summary>Maps <paramref name="size"/> bytes of zeroed, lazily allocated memory.</summary>
    public GuestMemory(ulong size)
    {
        if (size == 0 || size % 4096 != 0)
            throw new ArgumentOutOfRangeException(nameof(size), "guest RAM must be a non-zero multiple of 4 KiB");
        Size = size;
        _lowSize = Math.Min(size, Layout.MmioHoleStart);
        _highSize = size - _lowSize;
        _base = Sys.MapAnonymous(size, "guest RAM");
    }

    /// <summary>The RAM regions, for KVM_SET_USER_MEMORY_REGION. The host address is for the kernel, not for us.</summary>
    public IReadOnlyList<RamRegion> Regions
    {
        get
        {
            var r = new List<RamRegion> { new(0, _lowSize, _base) };
            if (_highSize > 0)
                r.Add(new(Layout.FourGiB, _highSize, _base + (nint)_lowSize));
            return r;
        }
    }

    /// <summary>True when [gpa, gpa+len) is wholly inside one RAM region.</summary>
    public bool Contains(ulong gpa, ulong len) => TryOffset(gpa, len, out _);

    private bool TryOffset(ulong gpa, ulong len, out ulong offset)
    {
        offset = 0;
        ulong end = gpa + len;
        if (end < gpa) return false; // wraparound
        if (end <= _lowSize) { offset = gpa; return true; }
        if (gpa >= Layout.FourGiB && end - Layout.FourGiB <= _highSize)
        {
            offset = _lowSize + (gpa - Layout.FourGiB);
            return true;
        }
        return false;
    }

    /// <summary>The host address of [gpa, gpa+len), after checking that all of it is guest RAM.</summary>
    private nint Check(ulong gpa, ulong len)
    {
        ObjectDisposedException.ThrowIf(_base == 0, this);
        if (!TryOffset(gpa, len, out ulong off))
            throw new GuestMemoryException(gpa, len);
        return _base + (nint)off;
    }

    /// <summary>A checked window onto guest RAM. Keep it short-lived: it is valid only while the VM lives.</summary>
    // SAFETY: Check proved [gpa, gpa+len) lies inside one RAM region, and so inside the mapping, which stays
    // mapped until Dispose; the span covers exactly those len bytes and no more.
    public unsafe Span<byte> Slice(ulong gpa, int len)
    {
        if (len < 0) throw new GuestMemoryException(gpa, (ulong)(uint)len);
        return new Span<byte>((void*)Check(gpa, (ulong)len), len);
    }

    /// <summary>A checked reference to one value in guest RAM (for ring indexes that must be read once, atomically).</summary>
    public ref T Ref<T>(ulong gpa) where T : unmanaged => ref MemoryMarshal.AsRef<T>(Slice(gpa, Unsafe.SizeOf<T>()));

    public T Read<T>(ulong gpa) where T : unmanaged => MemoryMarshal.Read<T>(Slice(gpa, Unsafe.SizeOf<T>()));

    public void Write<T>(ulong gpa, T value) where T : unmanaged => MemoryMarshal.Write(Slice(gpa, Unsafe.SizeOf<T>()), in value);

    public void Write(ulong gpa, ReadOnlySpan<byte> data) => data.CopyTo(Slice(gpa, data.Length));

    public void Read(ulong gpa, Span<byte> dest) => Slice(gpa, dest.Length).CopyTo(dest);

    /// <summary>Zeroes [gpa, gpa+len): used to scrub RAM on reboot.</summary>
    public void Clear(ulong gpa, ulong len)
    {
        Check(gpa, len); // all of it, before the first byte changes
        while (len > 0)
        {
            int n = (int)Math.Min(len, 1UL << 30);
            Slice(gpa, n).Clear();
            gpa += (ulong)n; len -= (ulong)n;
        }
    }

    /// <summary>Bytes of guest RAM the host has actually backed with pages (mincore(2)); for diagnostics.</summary>
    public ulong ResidentBytes()
    {
        ObjectDisposedException.ThrowIf(_base == 0, this);
        ulong pages = Size / 4096, resident = 0;
        byte[] vec = new byte[Math.Min(pages, 1UL << 20)];
        for (ulong done = 0; done < pages; done += (ulong)vec.Length)
        {
            ulong n = Math.Min((ulong)vec.Length, pages - done);
            Sys.Mincore(_base + (nint)(done * 4096), n * 4096, vec);
            for (ulong i = 0; i < n; i++) resident += (ulong)(vec[i] & 1);
        }
        return resident * 4096;
    }

    /// <summary>Gives all RAM back to the host: anonymous pages read as zero afterwards (a cheap reboot scrub).</summary>
    public void Discard() => Sys.DiscardPages(Check(0, _lowSize), _lowSize + _highSize);

    /// <summary>Reads file bytes straight into guest RAM (kernel and initrd loading).</summary>
    public void ReadFile(SafeFd fd, long fileOffset, ulong gpa, ulong len) => Sys.PreadExact(fd, Check(gpa, len), len, fileOffset);

    public void Dispose()
    {
        if (_base != 0)
        {
            Sys.Unmap(_base, Size);
            _base = 0;
        }
    }
}
