using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Block;

/*L:460
 * The disk (virtio 1.2 section 5.2): one request queue; each request is a
 * header (type and sector), data, and a status byte at the very end. Reads
 * and writes go straight between the file and guest memory, one pread or
 * pwrite per buffer, on the device's own thread.
 *
 * Where the seed wrote first and truncated the file afterwards if the guest
 * had written past its end, we check first: a request that reaches past the
 * capacity gets VIRTIO_BLK_S_IOERR and the file is never extended. A
 * read-only disk (VIRTIO_BLK_F_RO) answers writes with IOERR too. FLUSH is
 * fdatasync, and so is every way the VM ends.
 */
public sealed class BlockDevice : IVirtioDevice, IDeviceStats, IDisposable
{
    public const int FeatureSegMax = 2, FeatureRo = 5, FeatureBlkSize = 6, FeatureFlush = 9;
    public const uint TypeIn = 0, TypeOut = 1, TypeFlush = 4, TypeGetId = 8;
    public const byte StatusOk = 0, StatusIoErr = 1, StatusUnsupported = 2;
    private const int SectorSize = Limits.SectorSize, IdBytes = 20;
    private const ushort QueueSize = 256;

    private readonly SafeFd _fd;
    private readonly byte[] _id;
    private VirtioContext? _ctx;
    private DescChain? _chain;

    public string Path { get; }
    public bool ReadOnly { get; }
    public ulong CapacityBytes { get; }

    private BlockDevice(string path, SafeFd fd, bool readOnly, ulong capacity)
    {
        Path = path;
        _fd = fd;
        ReadOnly = readOnly;
        CapacityBytes = capacity;
        // GET_ID: a serial stable across runs for the same file, so /dev/disk/by-id names stay put.
        string full = System.IO.Path.GetFullPath(path);
        string hex = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..13].ToLowerInvariant();
        _id = Encoding.ASCII.GetBytes("lguest-" + hex);
    }

    /// <summary>Opens and checks a disk file; every problem is one clear line (and the file is untouched).</summary>
    public static BlockDevice Open(string path, bool readOnly)
    {
        if (Directory.Exists(path))
            throw new EngineException(ErrorId.DeviceInvalid, $"--block={path}: that is a directory; give a disk image file");
        if (!File.Exists(path))
            throw new EngineException(ErrorId.DeviceInvalid, $"--block={path}: no such file; create it first (e.g. truncate -s 64M {path})");
        SafeFd fd;
        try { fd = Sys.Open(path, readOnly ? Tmds.Linux.LibC.O_RDONLY : Tmds.Linux.LibC.O_RDWR, "disk image"); }
        catch (SysException e) when (e.Errno is 1 or 13 or 30)
        {
            throw new EngineException(ErrorId.PermissionDenied,
                $"--block={path}: no permission to open it {(readOnly ? "for reading" : "for reading and writing")}" +
                (readOnly ? "" : $"; use --block={path},ro for a read-only disk"));
        }
        try
        {
            if (!Sys.IsRegularFile(fd))
                throw new EngineException(ErrorId.DeviceInvalid, $"--block={path}: not a regular file");
            long size = Sys.FileSize(fd, "disk image");
            if (size % SectorSize != 0)
                throw new EngineException(ErrorId.DeviceInvalid,
                    $"--block={path}: its size ({size} bytes) is not a multiple of 512; a disk is made of 512-byte sectors");
            if (!Sys.TryLock(fd, exclusive: !readOnly))
                throw new EngineException(ErrorId.DiskInUse, readOnly
                    ? $"--block={path},ro: another program (a VM: lguest, QEMU...) is writing to this disk; stop it first"
                    : $"--block={path}: another program (a VM: lguest, QEMU...) is using this disk; stop it first, " +
                      $"or if neither of you writes to it, give it as --block={path},ro");
            return new BlockDevice(path, fd, readOnly, (ulong)size);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

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
            TypeFlush => Sync() ? StatusOk : StatusIoErr,
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
        while (len > 0)
        {
            long n;
            if (write)
            {
                var span = chain.Reader.GetSpan((int)Math.Min(len, int.MaxValue));
                n = Sys.Pwrite(_fd, span, offset);
                if (n <= 0) return StatusIoErr;
                chain.Reader.Advance((uint)n);
                Interlocked.Add(ref _written, n);
            }
            else
            {
                var span = chain.Writer.GetSpan((int)Math.Min(len, int.MaxValue));
                n = Sys.Pread(_fd, span, offset);
                if (n < 0) return StatusIoErr;
                if (n == 0) { span.Clear(); n = span.Length; } // the file shrank under us: zeros, not stale guest bytes
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

    /// <summary>fdatasync; a failure (EIO: the host's disk let us down) is the guest's IOERR and one warning, never a crash.</summary>
    private bool Sync()
    {
        try
        {
            Sys.FdataSync(_fd, $"disk {Path}");
            return true;
        }
        catch (SysException e)
        {
            Log.Warning($"{e.Message}: what the guest wrote may not be on stable storage");
            return false;
        }
    }

    /// <summary>Pushes written data to stable storage (every exit path calls this).</summary>
    public void Flush()
    {
        if (!ReadOnly && !_fd.IsClosed) Sync();
    }

    public void Dispose()
    {
        Flush();
        _fd.Dispose();
    }
}
