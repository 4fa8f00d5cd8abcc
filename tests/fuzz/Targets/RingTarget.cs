using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Fuzz;

/*
 * The split ring, device side, over guest RAM the fuzzer writes verbatim:
 * descriptor table, available ring, indirect tables and buffers are all its
 * bytes. The queue is laid out the way Linux lays it out (or anywhere at all,
 * when the input asks), enabled, and drained the way a device drains it.
 * Whatever the bytes, a pop yields a chain whose every segment lies in RAM,
 * no more chains than the ring holds, or a VirtqueueViolation; anything else
 * that escapes is a finding.
 */
public sealed class RingTarget : IFuzzTarget
{
    private const ulong Ram = 64 << 10;
    private readonly GuestMemory _mem = new(Ram);

    public string Name => "ring";

    public void Run(ReadOnlySpan<byte> data)
    {
        var input = new FuzzInput(data);
        ushort size = (ushort)(1 << (input.Byte() % 9));      // 1 .. 256
        byte flags = input.Byte();
        ulong desc = 0, avail = VirtqAbi.DescTableBytes(size), used = (avail + VirtqAbi.AvailRingBytes(size) + 3) & ~3UL;
        if ((flags & 8) != 0) (desc, avail, used) = (input.U64(), input.U64(), input.U64());
        _mem.Clear(0, Ram);
        var image = input.Rest();
        _mem.Write(0, image[..(int)Math.Min((ulong)image.Length, Ram)]);

        var vq = new Virtqueue(_mem, 256)
        {
            Size = size, DescGpa = desc, AvailGpa = avail, UsedGpa = used,
            EventIdx = (flags & 1) != 0, IndirectDesc = (flags & 2) != 0,
        };
        try
        {
            vq.Enable();
            var chain = vq.NewChain();
            int pops = 0;
            do
            {
                vq.DisableNotifications();
                while (vq.TryPop(chain))
                {
                    if (++pops > size) throw new FuzzFinding($"popped {pops} chains from a ring of {size}");
                    Consume(chain);
                    vq.PushUsed(chain);
                }
                vq.NeedsInterrupt();
            } while (vq.EnableNotifications());
        }
        catch (VirtqueueViolation)
        {
            // The driver broke a rule and was told so: the queue must stay shut from now on.
            var chain = vq.NewChain();
            if (vq.Enabled && vq.TryPop(chain)) throw new FuzzFinding("a broken queue popped another chain");
        }
    }

    private void Consume(DescChain chain)
    {
        if (chain.Readable.Length + chain.Writable.Length > chain.Capacity)
            throw new FuzzFinding("a chain longer than the queue allows");
        foreach (var s in chain.Readable) InRam(s);
        foreach (var s in chain.Writable) InRam(s);
        while (chain.Reader.Remaining > 0)
        {
            var span = chain.Reader.GetSpan();
            chain.Reader.Advance((uint)span.Length);
        }
        while (chain.Writer.Remaining > 0)
        {
            var span = chain.Writer.GetSpan();
            span.Fill(0xA5);
            chain.Writer.Advance((uint)span.Length);
        }
    }

    private void InRam(VqSegment s)
    {
        if (!_mem.Contains(s.Gpa, s.Len)) throw new FuzzFinding($"segment [0x{s.Gpa:x}, +0x{s.Len:x}) outside RAM");
    }
}
