using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Fuzz;

/// <summary>
/// Just enough of a driver to put the fuzzer's requests on a ring: direct chains in consecutive
/// descriptors, published one by one, laid out as Linux lays a split ring out.
/// </summary>
public sealed class MiniDriver(GuestMemory mem, ushort size, ulong baseGpa)
{
    private const ushort Next = 1, Write = 2;
    private readonly ulong _desc = baseGpa, _avail = baseGpa + VirtqAbi.DescTableBytes(size);
    private ulong Used => (_avail + VirtqAbi.AvailRingBytes(size) + 3) & ~3UL;
    private ushort _nextDesc, _availIdx;

    public Virtqueue Queue(ushort maxSize, bool eventIdx)
    {
        var vq = new Virtqueue(mem, maxSize) { Size = size, DescGpa = _desc, AvailGpa = _avail, UsedGpa = Used, EventIdx = eventIdx, IndirectDesc = true };
        vq.Enable();
        return vq;
    }

    /// <summary>Lays one chain (address, length, device-writable) into the next descriptors and publishes it.</summary>
    public void Post(ReadOnlySpan<(ulong Gpa, uint Len, bool Write)> bufs)
    {
        ushort head = _nextDesc;
        for (int k = 0; k < bufs.Length; k++)
        {
            ushort i = (ushort)((head + k) % size);
            ulong d = _desc + 16 * (ulong)i;
            mem.Write(d, bufs[k].Gpa);
            mem.Write(d + 8, bufs[k].Len);
            mem.Write(d + 12, (ushort)((bufs[k].Write ? Write : 0) | (k == bufs.Length - 1 ? 0 : Next)));
            mem.Write(d + 14, (ushort)((i + 1) % size));
        }
        _nextDesc = (ushort)((head + bufs.Length) % size);
        mem.Write<ushort>(_avail + 4 + 2 * (ulong)(_availIdx % size), head);
        mem.Write<ushort>(_avail + 2, ++_availIdx);
    }

    /// <summary>Used elements the device returned so far, in order: (head, length).</summary>
    public IEnumerable<(uint Id, uint Len)> UsedElements()
    {
        ushort idx = mem.Read<ushort>(Used + 2);
        for (ushort i = 0; i != idx; i++)
        {
            ulong e = Used + 4 + 8 * (ulong)(i % size);
            yield return (mem.Read<uint>(e), mem.Read<uint>(e + 4));
        }
    }
}
