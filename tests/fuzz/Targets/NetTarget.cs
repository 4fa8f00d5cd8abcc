using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Queue;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Fuzz;

/*
 * virtio-net's two queues on a real tap (in a network namespace of the
 * fuzzer's own): transmit chains with any virtio_net_hdr (flags, GSO type
 * and sizes, checksum offsets) and any shape (too short, device-writable
 * parts, one byte per descriptor), receive buffers of any size, under any
 * mix of MRG_RXBUF, GUEST_CSUM and EVENT_IDX. Transmit chains come back with
 * length 0; a receive chain never with more than it can hold; nothing throws.
 */
public sealed class NetTarget(TapDevice tap) : IFuzzTarget, IDisposable
{
    private const ushort QueueSize = 64;
    private const ulong Buffers = 0x40000, RamBytes = 2 << 20;
    private readonly GuestMemory _mem = new(RamBytes);
    private readonly NetDevice _dev = new(tap, MacAddress.Parse("02:00:00:00:00:02", "fuzz"));

    public string Name => "net";

    public void Run(ReadOnlySpan<byte> data)
    {
        var input = new FuzzInput(data);
        byte flags = input.Byte();
        _mem.Clear(0, RamBytes);
        var rx = new MiniDriver(_mem, QueueSize, 0x1000);
        var tx = new MiniDriver(_mem, QueueSize, 0x10000);
        bool eventIdx = (flags & 4) != 0;
        var queues = new[] { rx.Queue(256, eventIdx), tx.Queue(256, eventIdx) };
        ulong features = _dev.Features | VirtioFeatures.Bit(VirtioFeatures.Version1) | VirtioFeatures.Bit(VirtioFeatures.IndirectDesc);
        if ((flags & 1) == 0) features &= ~VirtioFeatures.Bit(NetDevice.FeatureMrgRxbuf);
        if ((flags & 2) == 0) features &= ~VirtioFeatures.Bit(NetDevice.FeatureGuestCsum);
        if (eventIdx) features |= VirtioFeatures.Bit(VirtioFeatures.EventIdx);
        using var worker = new DeviceWorker("fuzz-net", _ => { });
        _dev.Activate(new VirtioContext(_mem, queues, features, _ => { }, worker));
        try
        {
            ulong next = Buffers;
            var bufs = new List<(ulong, uint, bool)>();
            uint largestRx = 0;
            int chains = input.Byte() % 8 + 1;
            for (int c = 0; c < chains && input.Left > 0 && next < RamBytes - 0x20000; c++)
            {
                bufs.Clear();
                byte shape = input.Byte();
                if ((shape & 1) == 0) // a frame to send: header and frame bytes from the input, cut into pieces
                {
                    var frame = input.Take(input.Byte() % 8 == 0 ? input.U16() % 9000 : input.Byte() + 12);
                    _mem.Write(next, frame);
                    int pieces = shape >> 1 & 7;
                    uint at = 0, left = (uint)frame.Length;
                    for (int p = 0; p <= pieces && left > 0; p++)
                    {
                        uint len = p == pieces ? left : Math.Min(left, (uint)input.Byte() + 1);
                        bufs.Add((next + at, len, (shape & 0x10) != 0 && p == pieces));
                        at += len;
                        left -= len;
                    }
                    next += ((ulong)frame.Length + 63) & ~63UL;
                    if (bufs.Count > 0) tx.Post(bufs.ToArray());
                }
                else // a receive buffer or two
                {
                    uint len = (shape & 2) != 0 ? input.U16() : (uint)input.Byte() * 64;
                    bufs.Add((next, len, true));
                    largestRx = Math.Max(largestRx, len);
                    next += (len + 63) & ~63u;
                    rx.Post(bufs.ToArray());
                }
            }
            try
            {
                _dev.Process(NetDevice.TxQ);
                _dev.Process(NetDevice.RxQ);
            }
            catch (VirtqueueViolation) { } // the transport's to handle (NEEDS_RESET)
            foreach (var (_, len) in tx.UsedElements())
                if (len != 0) throw new FuzzFinding($"a transmit chain came back with length {len}");
            foreach (var (_, len) in rx.UsedElements())
                if (len > largestRx) throw new FuzzFinding($"a receive chain came back with {len} bytes, more than any buffer");
        }
        finally
        {
            _dev.Reset();
        }
    }

    public void Dispose()
    {
        _dev.Dispose();
        _mem.Dispose();
    }
}
