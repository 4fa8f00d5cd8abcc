using System;
using System.IO;
using System.Text;

namespace LguestPS.Images;

/*
 * The archive format the kernel unpacks into its initial root file system:
 * "newc" cpio (Documentation/driver-api/early-userspace/buffer-format.rst).
 * Each member is a 110-byte ASCII header, "070701" and thirteen 8-digit hex
 * fields (inode, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
 * rdevmajor, rdevminor, namesize, check), then the NUL-terminated name
 * padded to a multiple of 4 bytes, then the data padded the same way. The
 * member named "TRAILER!!!" ends the archive.
 *
 * Writing the bytes ourselves is what lets a user without root put
 * /dev/console (a character device, 5,1) owned by root into an initramfs:
 * cpio(1) would need the node to exist on the host. The kernel's unpacker
 * does not create missing parents, so callers add directories first.
 */
/// <summary>Writes a newc cpio archive, member by member, to a stream.</summary>
internal sealed class CpioWriter
{
    internal const string Magic = "070701";
    internal const string Trailer = "TRAILER!!!";
    private const int HeaderSize = 110;

    /// <summary>newc records sizes and times in 8 hex digits: a member holds at most 4 GiB - 1.</summary>
    internal const long MaxMemberSize = uint.MaxValue;

    private readonly Stream _out;
    private readonly byte[] _copyBuffer = new byte[81920];
    private long _written;
    private uint _inode;
    private bool _finished;

    internal CpioWriter(Stream output) => _out = output;

    /// <summary>Bytes written so far.</summary>
    internal long Length => _written;

    internal void Add(CpioEntry entry)
    {
        if (_finished) throw new InvalidOperationException("The archive has its trailer already.");
        switch (entry.Type)
        {
            case UnixFileInfo.Regular when entry.SourcePath != null:
                AddHostFile(entry);
                break;
            case UnixFileInfo.Regular or UnixFileInfo.Symlink:
                WriteHeader(entry.Name, entry.Mode, 1, entry.ModifiedSeconds, entry.Data!.LongLength, 0, 0);
                WriteData(entry.Data, entry.Data.Length);
                Pad();
                break;
            case UnixFileInfo.Directory:
                WriteHeader(entry.Name, entry.Mode, 2, entry.ModifiedSeconds, 0, 0, 0);
                break;
            default:
                WriteHeader(entry.Name, entry.Mode, 1, entry.ModifiedSeconds, 0, entry.DeviceMajor, entry.DeviceMinor);
                break;
        }
    }

    /// <summary>The trailer, and zeros up to a multiple of 512 bytes as cpio(1) writes (the kernel skips them).</summary>
    internal void Finish()
    {
        WriteHeader(Trailer, 0, 1, 0, 0, 0, 0);
        _finished = true;
        int tail = (int)((512 - _written % 512) % 512);
        WriteData(new byte[tail], tail);
        _out.Flush();
    }

    private void AddHostFile(CpioEntry entry)
    {
        using var source = new FileStream(entry.SourcePath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        long size = source.Length;
        WriteHeader(entry.Name, entry.Mode, 1, entry.ModifiedSeconds, size, 0, 0);
        long left = size;
        while (left > 0)
        {
            int n = source.Read(_copyBuffer, 0, (int)Math.Min(_copyBuffer.Length, left));
            // The header already promised `size` bytes: a file that shrinks under us cannot be archived truthfully.
            if (n == 0) throw new IOException($"'{entry.SourcePath}' shrank while it was being archived; try again when nothing writes to it.");
            WriteData(_copyBuffer, n);
            left -= n;
        }
        Pad();
    }

    private void WriteHeader(string name, uint mode, uint nlink, long mtime, long size, uint rdevMajor, uint rdevMinor)
    {
        if (size > MaxMemberSize)
            throw new IOException($"'{name}' is {size} bytes; a newc cpio member holds at most {MaxMemberSize}.");
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder(HeaderSize).Append(Magic);
        foreach (long field in new[]
        {
            ++_inode, mode, 0 /* uid: root */, 0 /* gid: root */, nlink,
            Math.Max(0, Math.Min(mtime, uint.MaxValue)), size, 0, 0 /* the archive's own device: unused */,
            rdevMajor, rdevMinor, nameBytes.Length + 1, 0 /* check: only for the "070702" variant */,
        })
            header.Append(field.ToString("X8"));
        byte[] bytes = Encoding.ASCII.GetBytes(header.ToString());
        WriteData(bytes, bytes.Length);
        WriteData(nameBytes, nameBytes.Length);
        WriteData(new byte[] { 0 }, 1);
        Pad();
    }

    private void WriteData(byte[] data, int count)
    {
        _out.Write(data, 0, count);
        _written += count;
    }

    private void Pad()
    {
        int n = (int)((4 - _written % 4) % 4);
        if (n > 0) WriteData(new byte[n], n);
    }
}
