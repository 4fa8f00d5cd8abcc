using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Block;

/*L:540
 * The disk (virtio 1.2 section 5.2): one request queue; each request is a
 * header (type and sector), data, and a status byte at the very end. Reads
 * and writes go straight between the file and guest memory, one pread or
 * pwrite per buffer, on the device's own thread.
 *
 * Where the seed wrote first and truncated the file afterwards if the guest
 * had written past its end, we check first: a request that reaches past the
 * capacity, or past the file's end should the host shrink it (DiskFile),
 * gets VIRTIO_BLK_S_IOERR and the file is never extended. A read-only disk
 * (VIRTIO_BLK_F_RO) answers writes with IOERR too. FLUSH is fdatasync, and
 * so is every way the VM ends.
 */
public sealed class BlockDevice : IVirtioDevice, IDeviceStats, IDisposable
{
    public const int FeatureSegMax = 2, FeatureRo = 5, FeatureBlkSize = 6, FeatureFlush = 9;
    public const uint TypeIn = 0, TypeOut = 1, TypeFlush = 4, TypeGetId = 8;
    public const byte StatusOk = 0, StatusIoErr = 1, StatusUnsupported = 2;
    private const int SectorSize = Limits.SectorSize, IdBytes = 20;
    private const ushort QueueSize = 256;

    private readonly DiskFile _disk;
    private readonly byte[] _id;
    private VirtioContext? _ctx;
    private DescChain? _chain;

    public DiskFile File => _disk;
    public string Path => _disk.Path;
    public bool ReadOnly => _disk.ReadOnly;
    public ulong CapacityBytes => _disk.Capacity;

    private BlockDevice(DiskFile disk)
    {
        _disk = disk;
        // GET_ID: a serial stable across runs for the same file, so /dev/disk/by-id names stay put.
        string full = System.IO.Path.GetFullPath(disk.Path);
        string hex = Convert.ToHexString(Sha256.Hash(ByteString.Encode(full)))[..13].ToLowerInvariant();
        _id = Encoding.ASCII.GetBytes("lguest-" + hex);
    }

    /// <summary>Opens, checks and locks a disk file (see DiskFile); <paramref name="others"/> are the VM's disks so far.</summary>
    public static BlockDevice Open(string path, bool readOnly, IEnumerable<DiskFile>? others = null) =>
        new(DiskFile.Open(path, readOnly, others ?? []));

    public string Name => Events.Ready.DeviceNames.Block;
    public VirtioDeviceType Type => VirtioDeviceType.Block;
    public (byte Class, byte Subclass) PciClass => (0x01, 0x80); // mass storage, other
    public ulong Features => VirtioFeatures.Bit(FeatureSegMax) | VirtioFeatures.Bit(FeatureBlkSize) |
                             VirtioFeatures.Bit(FeatureFlush) | (ReadOnly ? VirtioFeatures.Bit(FeatureRo) : 0);
    public IReadOnlyList<ushort> QueueMaxSizes { get; } = [QueueSize];
    public int ConfigSize => 24;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> cfg = stackalloc byte[ConfigSize];
        cfg.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(cfg, CapacityBytes / SectorSize); // capacity, in 512-byte sectors
        BinaryPrimitives.WriteUInt32LittleEndian(cfg[12..], QueueSize - 2);         // seg_max: room for header and status
        BinaryPrimitives.WriteUInt32LittleEndian(cfg[20..], SectorSize);            // blk_size
        cfg.Slice(offset, data.Length).CopyTo(data);
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data) { } // nothing here is the driver's to change

    private long _requests, _read, _written;
    public string Stats => $"{Path}: {Interlocked.Read(ref _requests)} requests, {Interlocked.Read(ref _read)} bytes read, {Interlocked.Read(ref _written)} bytes written";

    public void Activate(VirtioContext ctx)
    {
        _chain = ctx.Queues[0].NewChain();
        _ctx = ctx;
    }

    public void Process(int queue)
    {
        if (_ctx is not { } ctx || _chain is not { } chain) return;
        var vq = ctx.Queues[0];
        while (true)
        {
            vq.DisableNotifications();
            while (vq.TryPop(chain))
            {
                Serve(chain);
                vq.PushUsed(chain);
            }
            if (vq.NeedsInterrupt()) ctx.Interrupt(0);
            if (Polling.WaitForMore(vq)) continue;   // more is likely on its way: catch it without a kick
            if (!vq.EnableNotifications()) break;
        }
    }

    private void Serve(DescChain chain)
    {
        // 5.2.6: the status byte is the last device-writable byte. No room for it: nothing we can say.
        if (chain.WritableBytes == 0 || !chain.Reader.TryRead(out VirtioBlkOutHdr hdr))
        {
            if (Log.IsVerbose) Log.Verbose("block: request without a header or status byte; ignored");
            return;
        }
        uint dataIn = chain.WritableBytes - 1;
        Interlocked.Increment(ref _requests);
        byte status = hdr.Type switch
        {
            TypeIn => Transfer(chain, hdr.Sector, dataIn, write: false),
            TypeOut => ReadOnly ? StatusIoErr : Transfer(chain, hdr.Sector, chain.Reader.Remaining, write: true),
            TypeFlush => _disk.TryFlush() ? StatusOk : StatusIoErr,
            TypeGetId => GetId(chain, dataIn),
            _ => StatusUnsupported,
        };
        // Whatever we did not fill is skipped, so the status lands in the last byte.
        chain.Writer.Advance(chain.Writer.Remaining - 1);
        chain.Writer.TryWrite(status);
    }

    private byte Transfer(DescChain chain, ulong sector, uint len, bool write)
    {
        if (len % SectorSize != 0) return StatusIoErr;
        // Overflow-safe "sector * 512 + len <= capacity": a guest's sector number can be anything.
        if (sector > CapacityBytes / SectorSize || (CapacityBytes - sector * SectorSize) < len) return StatusIoErr;
        long offset = (long)(sector * SectorSize);
        if (write && !_disk.StillHolds(offset, len)) return StatusIoErr;
        while (len > 0)
        {
            long n;
            if (write)
            {
                var span = chain.Reader.GetSpan((int)Math.Min(len, int.MaxValue));
                if (!_disk.TryWrite(span, offset, out n)) return StatusIoErr;
                chain.Reader.Advance((uint)n);
                Interlocked.Add(ref _written, n);
            }
            else
            {
                var span = chain.Writer.GetSpan((int)Math.Min(len, int.MaxValue));
                if (!_disk.TryRead(span, offset, out n)) return StatusIoErr;
                chain.Writer.Advance((uint)n);
                Interlocked.Add(ref _read, n);
            }
            offset += n;
            len -= (uint)n;
        }
        return StatusOk;
    }

    private byte GetId(DescChain chain, uint room)
    {
        if (room == 0) return StatusIoErr;
        int n = (int)Math.Min(room, IdBytes);
        Span<byte> id = stackalloc byte[IdBytes];
        id.Clear();
        _id.CopyTo(id);
        chain.Writer.Write(id[..n]);
        return StatusOk;
    }

    public void Reset()
    {
        _ctx = null;
        _chain = null;
    }

    /// <summary>Pushes written data to stable storage (every exit path calls this).</summary>
    public void Flush() => _disk.TryFlush();

    public void Dispose() => _disk.Dispose();
}
