using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;
using static LguestPS.Engine.Virtio.Queue.VirtqAbi;

namespace LguestPS.Engine.Tests.Virtio.Queue;

/// <summary>Turns a byte string into numbers, zeros once it runs out: FsCheck shrinks the bytes, we shrink the ring.</summary>
internal sealed class Entropy(byte[] bytes)
{
    private int _pos;
    public byte Byte() => _pos < bytes.Length ? bytes[_pos++] : (byte)0;
    public ushort U16() => (ushort)(Byte() | Byte() << 8);
    public uint U32() => U16() | (uint)U16() << 16;
    public ulong U64() => U32() | (ulong)U32() << 32;
    public int Below(int n) => (int)(U32() % (uint)n);
}

/*
 * A driver gone mad: it fills the descriptor table, some indirect tables and
 * the available ring with numbers chosen to sit on every edge the queue
 * checks (end of RAM, 2^64, lengths near 2^32, next just past the table,
 * flags in every combination), publishes a random number of heads, scribbles
 * over the rings between pops, and lets the device pop.
 *
 * What must hold, whatever the bytes: each pop returns a chain whose every
 * segment lies in RAM and whose shape obeys the rules, or throws
 * VirtqueueViolation and leaves the queue broken. Nothing else escapes (a
 * GuestMemoryException would mean a touch outside RAM), and the device never
 * pops more than the driver published (work is bounded).
 */
internal static class RingFuzzer
{
    public const ulong Ram = 256 << 10;
    private const ulong DescAt = 0x1000, AvailAt = 0x2000, UsedAt = 0x3000, Tables = 0x8000, Data = 0x10000;

    private const int TableEntries = 256;   // 4 KiB of indirect descriptors at Tables

    public readonly record struct Outcome(int Chains, VqRule? Violation);

    public static Outcome Run(GuestMemory mem, byte[] bytes)
    {
        var e = new Entropy(bytes);
        mem.Clear(0, Ram);
        int honesty = e.Below(9);   // out of 8: how often a descriptor is a plausible one
        ushort size = (ushort)(1 << e.Below(7));                  // 1 .. 64
        ushort maxSize = (ushort)(size << e.Below(3));            // up to 4x that
        var vq = new Virtqueue(mem, maxSize)
        {
            Size = size, DescGpa = DescAt, AvailGpa = AvailAt, UsedGpa = UsedAt,
            EventIdx = e.Below(2) == 0, IndirectDesc = e.Below(4) != 0,
        };
        vq.Enable();
        var chain = vq.NewChain();

        for (int i = 0; i < size; i++) WriteGarbageDesc(mem, e, honesty, DescAt, i, size, maxSize);
        for (int i = 0; i < TableEntries; i++) WriteGarbageDesc(mem, e, honesty, Tables, i, TableEntries, maxSize);

        int chains = 0;
        ushort published = 0;
        for (int round = 0; round < 4; round++)
        {
            // Publish: usually an honest count of mostly honest heads, sometimes any index at all.
            int add = e.Below(size + 1);
            for (int k = 0; k < add; k++)
                mem.Write<ushort>(AvailAt + 4 + 2 * (ulong)((published + k) % size), e.Below(8) == 0 ? e.U16() : (ushort)e.Below(size));
            published = e.Below(16) == 0 ? e.U16() : (ushort)(published + add);
            mem.Write<ushort>(AvailAt + 2, published);
            mem.Write<ushort>(AvailAt, e.U16());                                      // avail flags
            mem.Write<ushort>(AvailAt + 4 + 2 * (ulong)size, e.U16());                // used_event
            if (e.Below(4) == 0) WriteGarbageDesc(mem, e, honesty, DescAt, e.Below(size), size, maxSize);

            int pops = 0;
            try
            {
                if (e.Below(2) == 0) vq.DisableNotifications();
                while (vq.TryPop(chain))
                {
                    pops++;
                    if (pops > size) throw new Xunit.Sdk.XunitException($"popped {pops} chains from a ring of {size}");
                    CheckChain(mem, vq, chain);
                    WalkAll(chain);
                    vq.PushUsed(chain);
                    chains++;
                    if (e.Below(8) == 0) WriteGarbageDesc(mem, e, honesty, DescAt, e.Below(size), size, maxSize);
                }
                vq.NeedsInterrupt();
                vq.EnableNotifications();
            }
            catch (VirtqueueViolation v)
            {
                Assert.True(vq.Broken, v.Message);
                Assert.False(vq.TryPop(chain));
                Assert.False(vq.EnableNotifications());
                vq.NeedsInterrupt();
                return new Outcome(chains, v.Rule);
            }
        }
        return new Outcome(chains, null);
    }

    private static void WriteGarbageDesc(GuestMemory mem, Entropy e, int honesty, ulong table, int i, int entries, int maxSize)
    {
        if (e.Below(8) < honesty)
        {
            // Plausible: in RAM, chained to the next slot, readable first then writable.
            // Long runs of NEXT inside indirect tables, so tables of MaxSize entries get walked whole.
            ushort f = e.Below(table == Tables ? 64 : 3) != 0 ? VIRTQ_DESC_F_NEXT : (ushort)(e.Below(2) * VIRTQ_DESC_F_WRITE);
            if (table == DescAt && e.Below(8) == 0) { f = VIRTQ_DESC_F_INDIRECT; }
            uint l = f != VIRTQ_DESC_F_INDIRECT ? (uint)(1 + e.Below(256))
                : e.Below(4) == 0 ? 16 * (uint)maxSize : 16 * (uint)(1 + e.Below(8));
            ulong a = f != VIRTQ_DESC_F_INDIRECT ? Data + (ulong)e.Below(4096)
                : Tables + (e.Below(4) == 0 ? 16 * (ulong)e.Below(56) : 0);
            FakeDriver.WriteDesc(mem, table, i, a, l, f, (ushort)((i + 1) % entries));
            return;
        }
        ulong addr = e.Below(9) switch
        {
            0 => e.U32() % (2 * Ram),
            1 => Ram - (ulong)e.Below(64),
            2 => ulong.MaxValue - (ulong)e.Below(64),
            3 => Tables + 16 * (ulong)e.Below(TableEntries),
            4 => e.U64(),
            5 => 0,
            6 => 0x1_0000_0000UL + (ulong)e.Below(4096),
            _ => Data + (ulong)e.Below(4096),
        };
        uint len = e.Below(8) switch
        {
            0 => 0,
            1 => (uint)e.Below(64),
            2 => 16 * (uint)e.Below(maxSize + 2),
            3 => e.U32(),
            4 => uint.MaxValue - (uint)e.Below(16),
            5 => 0x8000_0000u,
            6 => (uint)Ram,
            _ => (uint)e.Below(4096),
        };
        ushort flags = e.Below(8) == 0 ? e.U16() : (ushort)e.Below(8);
        ushort next = e.Below(8) == 0 ? e.U16() : (ushort)e.Below(entries + 1);
        FakeDriver.WriteDesc(mem, table, i, addr, len, flags, next);
    }

    private static void CheckChain(GuestMemory mem, Virtqueue vq, DescChain chain)
    {
        Assert.True(chain.Head < vq.Size);
        Assert.True(chain.Readable.Length + chain.Writable.Length <= vq.MaxSize);
        ulong r = 0, w = 0;
        foreach (var s in chain.Readable) { Assert.True(s.Len > 0 && mem.Contains(s.Gpa, s.Len)); r += s.Len; }
        foreach (var s in chain.Writable) { Assert.True(s.Len > 0 && mem.Contains(s.Gpa, s.Len)); w += s.Len; }
        Assert.Equal(r, chain.ReadableBytes);
        Assert.Equal(w, chain.WritableBytes);
        Assert.True(r + w <= uint.MaxValue);
    }

    // Every byte of the chain through the reader and writer: none of it may be outside RAM.
    private static void WalkAll(DescChain chain)
    {
        Span<byte> scratch = stackalloc byte[64];
        chain.Reader.TryRead(out ulong _);
        chain.Reader.Read(scratch);
        for (var s = chain.Reader.GetSpan(); !s.IsEmpty; s = chain.Reader.GetSpan())
            chain.Reader.Advance((uint)s.Length);
        Assert.Equal(0u, chain.Reader.Remaining);
        chain.Writer.Write(scratch[..7]);
        for (var s = chain.Writer.GetSpan(1 << 20); !s.IsEmpty; s = chain.Writer.GetSpan(1 << 20))
        {
            s[0] = 0xEE;
            chain.Writer.Advance((uint)s.Length);
        }
        Assert.Equal(chain.WritableBytes, chain.Writer.Written);
    }
}
