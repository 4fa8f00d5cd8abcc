using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Bus;

/*
 * MMIO dispatch for addresses KVM could not resolve to RAM: PCI BARs live
 * here. Regions come and go as the guest programs BARs, so this is a sorted
 * array searched by binary search, swapped whole under a lock on change
 * (rare) and read without one on the hot path.
 */
public sealed class MmioBus
{
    private sealed record Region(ulong Base, ulong Size, string Name, IMmioDevice Dev);
    private Region[] _regions = [];
    private readonly object _lock = new();

    public void Register(ulong @base, ulong size, string name, IMmioDevice dev)
    {
        if (!TryRegister(@base, size, name, dev))
            throw new InvalidOperationException($"MMIO [0x{@base:x}, +0x{size:x}) of {name} overlaps another region");
    }

    /// <summary>Adds a region unless it overlaps one already there (a guest can program BARs on top of each other).</summary>
    public bool TryRegister(ulong @base, ulong size, string name, IMmioDevice dev)
    {
        if (size == 0 || @base + size < @base) throw new ArgumentException($"bad MMIO region for {name}");
        lock (_lock)
        {
            foreach (var r in _regions)
                if (@base < r.Base + r.Size && r.Base < @base + size)
                    return false;
            var list = new List<Region>(_regions) { new(@base, size, name, dev) };
            list.Sort((a, b) => a.Base.CompareTo(b.Base));
            _regions = list.ToArray();
        }
        return true;
    }

    public void Unregister(IMmioDevice dev, ulong @base)
    {
        lock (_lock) _regions = _regions.Where(r => !(ReferenceEquals(r.Dev, dev) && r.Base == @base)).ToArray();
    }

    private Region? Find(ulong addr, int len)
    {
        var rs = _regions;
        int lo = 0, hi = rs.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            var r = rs[mid];
            if (addr < r.Base) hi = mid - 1;
            else if (addr - r.Base >= r.Size) lo = mid + 1;
            else return addr - r.Base + (ulong)len <= r.Size ? r : null;
        }
        return null;
    }

    public void Read(ulong addr, Span<byte> data)
    {
        var r = Find(addr, data.Length);
        if (r is null)
        {
            if (Log.IsVerbose) Log.Verbose($"unhandled MMIO read: 0x{addr:x} ({data.Length} bytes)");
            data.Fill(0xFF);
            return;
        }
        r.Dev.Read(addr - r.Base, data);
    }

    public void Write(ulong addr, ReadOnlySpan<byte> data)
    {
        var r = Find(addr, data.Length);
        if (r is null)
        {
            if (Log.IsVerbose) Log.Verbose($"unhandled MMIO write: 0x{addr:x} ({data.Length} bytes)");
            return;
        }
        r.Dev.Write(addr - r.Base, data);
    }
}
