using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;
using Tmds.Linux;

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
public sealed unsafe class GuestMemory : IDisposable
{
    private byte* _base;
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
        _base = (byte*)Sys.MapAnonymous(size, "guest RAM");
    }

    /// <summary>The RAM regions, for KVM_SET_USER_MEMORY_REGION. The host address is for the kernel, not for us.</summary>
    public IReadOnlyList<RamRegion> Regions
    {
        get
        {
            var r = new List<RamRegion> { new(0, _lowSize, (nint)_base) };
            if (_highSize > 0)
                r.Add(new(Layout.FourGiB, _highSize, (nint)(_base + _lowSize)));
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

    private byte* Check(ulong gpa, ulong len)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        if (!TryOffset(gpa, len, out ulong off))
            throw new GuestMemoryException(gpa, len);
        return _base + off;
    }

    /// <summary>A checked window onto guest RAM. Keep it short-lived: it is valid only while the VM lives.</summary>
    public Span<byte> Slice(ulong gpa, int len)
    {
        if (len < 0) throw new GuestMemoryException(gpa, (ulong)(uint)len);
        return new Span<byte>(Check(gpa, (ulong)len), len);
    }

    /// <summary>A checked reference to one value in guest RAM (for ring indexes that must be read once, atomically).</summary>
    public ref T Ref<T>(ulong gpa) where T : unmanaged
    {
        return ref Unsafe.AsRef<T>(Check(gpa, (ulong)sizeof(T)));
    }

    public T Read<T>(ulong gpa) where T : unmanaged => Unsafe.ReadUnaligned<T>(Check(gpa, (ulong)sizeof(T)));

    public void Write<T>(ulong gpa, T value) where T : unmanaged =>
        Unsafe.WriteUnaligned(Check(gpa, (ulong)sizeof(T)), value);

    public void Write(ulong gpa, ReadOnlySpan<byte> data) => data.CopyTo(Slice(gpa, data.Length));

    public void Read(ulong gpa, Span<byte> dest) => Slice(gpa, dest.Length).CopyTo(dest);

    /// <summary>Zeroes [gpa, gpa+len): used to scrub RAM on reboot.</summary>
    public void Clear(ulong gpa, ulong len)
    {
        byte* p = Check(gpa, len);
        while (len > 0)
        {
            int n = (int)Math.Min(len, 1UL << 30);
            new Span<byte>(p, n).Clear();
            p += n; len -= (ulong)n;
        }
    }

    /// <summary>Bytes of guest RAM the host has actually backed with pages (mincore(2)); for diagnostics.</summary>
    public ulong ResidentBytes()
    {
        ulong pages = Size / 4096, resident = 0;
        byte[] vec = new byte[Math.Min(pages, 1UL << 20)];
        for (ulong done = 0; done < pages; done += (ulong)vec.Length)
        {
            ulong n = Math.Min((ulong)vec.Length, pages - done);
            fixed (byte* v = vec)
                if ((long)Tmds.Linux.LibC.syscall(27 /* SYS_mincore */, (syscall_arg)(void*)(_base + done * 4096), (syscall_arg)(void*)(n * 4096), (syscall_arg)(void*)v) != 0)
                    return 0;
            for (ulong i = 0; i < n; i++) resident += (ulong)(vec[i] & 1);
        }
        return resident * 4096;
    }

    /// <summary>Gives all RAM back to the host: anonymous pages read as zero afterwards (a cheap reboot scrub).</summary>
    public void Discard() => Sys.DiscardPages((nint)Check(0, _lowSize), _lowSize + _highSize);

    /// <summary>Reads file bytes straight into guest RAM (kernel and initrd loading).</summary>
    public void ReadFile(SafeFd fd, long fileOffset, ulong gpa, ulong len)
    {
        byte* p = Check(gpa, len);
        Sys.PreadExact(fd, p, len, fileOffset);
    }

    public void Dispose()
    {
        if (_base != null)
        {
            Sys.Unmap((nint)_base, Size);
            _base = null;
        }
    }
}
