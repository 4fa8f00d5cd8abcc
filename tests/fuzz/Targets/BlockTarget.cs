using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Queue;
using LguestPS.Engine.Virtio.Block;

namespace LguestPS.Fuzz;

/*
 * virtio-blk requests as a hostile driver writes them: any type, any sector,
 * headers short or long, data segments of any length and direction, the
 * status byte missing or misplaced, and now and then the host truncating the
 * file under the guest. The device serves them from a real 64 KiB file.
 * Whatever the requests: every used length fits the chain's writable bytes,
 * every status is OK, IOERR or UNSUPP, and the file never grows.
 */
public sealed class BlockTarget : IFuzzTarget, IDisposable
{
    private const int DiskBytes = 64 << 10;
    private const ushort QueueSize = 64;
    private const ulong Buffers = 0x10000;
    private readonly string _path = System.IO.Path.Combine(FuzzFiles.Dir, $"disk-{Environment.ProcessId}.img");
    private readonly GuestMemory _mem = new(1 << 20);

    public string Name => "block";

    public void Run(ReadOnlySpan<byte> data)
    {
        var input = new FuzzInput(data);
        using (var f = File.Create(_path)) f.SetLength(DiskBytes);
        byte flags = input.Byte();
        using var disk = BlockDevice.Open(_path, readOnly: (flags & 1) != 0);
        disk.File.Warn = _ => { };
        _mem.Clear(0, 1 << 20);
        var driver = new MiniDriver(_mem, QueueSize, 0x1000);
        var vq = driver.Queue(256, eventIdx: (flags & 2) != 0);
        using var worker = new DeviceWorker("fuzz", _ => { });
        disk.Activate(new VirtioContext(_mem, [vq], disk.Features | VirtioFeatures.Bit(VirtioFeatures.Version1), _ => { }, worker));

        long shrinkTo = (flags & 4) != 0 ? 512L * input.Byte() : -1, limit = DiskBytes;
        uint maxWritable = 0;
        var bufs = new List<(ulong, uint, bool)>();
        ulong next = Buffers;
        int requests = input.Byte() % 16 + 1;
        for (int r = 0; r < requests && input.Left > 0; r++)
        {
            byte shape = input.Byte();
            ulong hdr = next;
            _mem.Write(hdr, new VirtioBlkOutHdr
            {
                Type = (shape & 1) != 0 ? input.U32() : (uint)(input.Byte() % 12),
                Sector = (shape & 2) != 0 ? input.U64() : input.Byte(),
            });
            bufs.Clear();
            bufs.Add((hdr, (shape & 4) != 0 ? (uint)(input.Byte() % 32) : 16u, false));
            next += 64;
            int segs = input.Byte() % 5;
            uint w = 0;
            for (int s = 0; s < segs; s++)
            {
                byte l = input.Byte();
                uint len = (l & 0x80) != 0 ? (uint)(l & 0x7F) * 512 : l;
                bool wr = input.Bit();
                bufs.Add((next, len, wr));
                if (wr) w += len;
                next += (len + 63) & ~63u;
            }
            if ((shape & 8) == 0) { bufs.Add((next, 1, true)); w += 1; next += 64; } // the status byte, unless it is missing
            if (next > (1 << 20) - 0x10000) break;
            maxWritable = Math.Max(maxWritable, w);
            driver.Post(bufs.ToArray());
            if (r == requests / 2 && shrinkTo >= 0)
            {
                FuzzFiles.Truncate(_path, Math.Min(shrinkTo, DiskBytes));
                limit = Math.Min(shrinkTo, DiskBytes);
            }
        }
        try { disk.Process(0); }
        catch (VirtqueueViolation) { } // a chain that broke the ring's rules: the transport's to handle (NEEDS_RESET)

        foreach (var (_, len) in driver.UsedElements())
            if (len > maxWritable) throw new FuzzFinding($"used length {len} is more than any request could take");
        long size = new FileInfo(_path).Length;
        if (size > limit) throw new FuzzFinding($"the disk file grew to {size} bytes (it was {limit})");
        disk.Reset();
    }

    public void Dispose()
    {
        _mem.Dispose();
        File.Delete(_path);
    }
}
