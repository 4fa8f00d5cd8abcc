using System;
using System.IO;
using System.Text;

namespace LguestPS.Images;

/// <summary>
/// One member of an initramfs archive: its path inside the guest (relative,
/// "dev/console"), its st_mode (type and permissions), its mtime, and what it
/// holds: a host file's bytes, bytes in memory, a symlink's target, or a
/// device's numbers. Every member is owned by root.
/// </summary>
internal sealed class CpioEntry
{
    private CpioEntry(string name, uint mode, long mtime)
    {
        Name = CheckName(name);
        Mode = mode;
        ModifiedSeconds = mtime;
    }

    internal string Name { get; }

    internal uint Mode { get; }

    internal uint Type => Mode & UnixFileInfo.TypeMask;

    internal long ModifiedSeconds { get; }

    internal uint DeviceMajor { get; private set; }

    internal uint DeviceMinor { get; private set; }

    /// <summary>A regular file's contents on the host (read when the archive is written).</summary>
    internal string? SourcePath { get; private set; }

    /// <summary>A regular file's contents, or a symlink's target, in memory.</summary>
    internal byte[]? Data { get; private set; }

    internal static CpioEntry Directory(string name, uint permissions, long mtime) =>
        new(name, UnixFileInfo.Directory | (permissions & 0xFFF), mtime);

    internal static CpioEntry File(string name, uint permissions, long mtime, string sourcePath) =>
        new(name, UnixFileInfo.Regular | (permissions & 0xFFF), mtime) { SourcePath = sourcePath };

    internal static CpioEntry File(string name, uint permissions, long mtime, byte[] data) =>
        new(name, UnixFileInfo.Regular | (permissions & 0xFFF), mtime) { Data = data };

    internal static CpioEntry Symlink(string name, byte[] target, long mtime) =>
        new(name, UnixFileInfo.Symlink | 0x1FF, mtime) { Data = target };

    internal static CpioEntry Symlink(string name, string target, long mtime) => Symlink(name, Encoding.UTF8.GetBytes(target), mtime);

    /// <summary>A character or block device, or (numbers 0) a named pipe.</summary>
    internal static CpioEntry Node(string name, uint type, uint permissions, uint major, uint minor, long mtime)
    {
        if (type != UnixFileInfo.CharDevice && type != UnixFileInfo.BlockDevice && type != UnixFileInfo.Fifo)
            throw new ArgumentException($"A node is a device or a pipe, not type 0x{type:X}.", nameof(type));
        return new CpioEntry(name, type | (permissions & 0xFFF), mtime) { DeviceMajor = major, DeviceMinor = minor };
    }

    /// <summary>The size the archive records: the file's bytes, or the symlink target's length.</summary>
    internal long Size => Data?.LongLength ?? (SourcePath != null ? new FileInfo(SourcePath).Length : 0);

    /// <summary>"a/b", never "/a/b", "a//b", "a/../b" or a name with a NUL: the kernel would put it elsewhere, or nowhere.</summary>
    private static string CheckName(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name.IndexOf('\0') >= 0 || name.EndsWith("/", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a path inside the archive (relative, no leading or trailing '/').", nameof(name));
        foreach (var part in name.Split('/'))
            if (part.Length == 0 || part == "." || part == "..")
                throw new ArgumentException($"'{name}' has an empty, '.' or '..' component.", nameof(name));
        return name;
    }
}
