using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace LguestPS.Images;

/*
 * What an archive of a folder needs to know about each entry and .NET
 * Standard does not say: the file type (a symlink is not followed, a device
 * node is a device node), the permission bits, the device numbers, the
 * modification time. lstat(2) says all of it in one call.
 *
 * The module runs where the engine runs, on x86-64 Linux with glibc, so the
 * struct is glibc's x86-64 `struct stat` (bits/struct_stat.h): 144 bytes,
 * the fields we read at fixed offsets. glibc 2.33 and later export lstat;
 * older ones only the versioned __lxstat, tried second.
 */
/// <summary>One lstat(2) of a path: type, permissions, size, device numbers, mtime.</summary>
internal sealed class UnixFileInfo
{
    // File types (the S_IFMT bits of st_mode), as cpio's newc header stores them too.
    internal const uint TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000,
        BlockDevice = 0x6000, Regular = 0x8000, Symlink = 0xA000, Socket = 0xC000;

    private const int StatSize = 144, ModeOffset = 24, RdevOffset = 40, SizeOffset = 48, MtimeOffset = 88;

    private UnixFileInfo(string path, uint mode, ulong rdev, long size, long mtime)
    {
        Path = path;
        Mode = mode;
        Size = size;
        ModifiedSeconds = mtime;
        // glibc's gnu_dev_major/minor: 12 bits of major and 20 of minor, split around the low byte.
        DeviceMajor = (uint)(((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffUL));
        DeviceMinor = (uint)((rdev & 0xff) | ((rdev >> 12) & ~0xffUL));
    }

    internal string Path { get; }

    /// <summary>st_mode: the type bits and the permission bits (with setuid, setgid, sticky).</summary>
    internal uint Mode { get; }

    internal uint Type => Mode & TypeMask;

    /// <summary>Permissions, setuid/setgid and sticky: the low 12 bits.</summary>
    internal uint Permissions => Mode & 0xFFF;

    internal long Size { get; }

    /// <summary>Seconds since the Unix epoch.</summary>
    internal long ModifiedSeconds { get; }

    internal uint DeviceMajor { get; }

    internal uint DeviceMinor { get; }

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int SysLstat(string path, byte[] buf);

    [DllImport("libc", EntryPoint = "__lxstat", SetLastError = true)]
    private static extern int SysLxstat(int version, string path, byte[] buf);

    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static extern IntPtr SysReadlink(string path, byte[] buf, IntPtr size);

    /// <summary>lstat(2); throws Win32Exception (errno and message) when it fails.</summary>
    internal static UnixFileInfo Of(string path)
    {
        var buf = new byte[StatSize];
        int rc;
        try
        {
            rc = SysLstat(path, buf);
        }
        catch (EntryPointNotFoundException)
        {
            rc = SysLxstat(1, path, buf); // _STAT_VER_LINUX on x86-64
        }
        if (rc != 0) throw new Win32Exception(Marshal.GetLastWin32Error());
        return new UnixFileInfo(path,
            BitConverter.ToUInt32(buf, ModeOffset),
            BitConverter.ToUInt64(buf, RdevOffset),
            BitConverter.ToInt64(buf, SizeOffset),
            BitConverter.ToInt64(buf, MtimeOffset));
    }

    /// <summary>A symlink's target, byte for byte as stored (it may be relative, absolute, or dangle).</summary>
    internal byte[] ReadLinkTarget()
    {
        var buf = new byte[Math.Max(Size, 255) + 1];
        long n = SysReadlink(Path, buf, (IntPtr)buf.Length).ToInt64();
        if (n < 0) throw new Win32Exception(Marshal.GetLastWin32Error());
        var target = new byte[n];
        Array.Copy(buf, target, n);
        return target;
    }
}
