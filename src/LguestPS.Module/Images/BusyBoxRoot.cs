using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace LguestPS.Images;

/*
 * The smallest Linux userspace that Invoke-LguestVmCommand can drive:
 * Debian's statically linked busybox (package busybox-static, /bin/busybox),
 * one symlink per applet, and the guest's own few files (Images/BusyBox/rootfs,
 * built into the module): an /init that mounts proc, sys, devtmpfs and tmpfs,
 * starts acpid for the power button and leaves busybox init running a root
 * shell on the console; the handler that syncs disks before a poweroff;
 * /etc/passwd and /etc/group naming root (id -un, ls -l). The
 * test fixture tests/fixtures/busybox/initramfs.sh packs these same files (their one home).
 *
 * Static, because the archive carries no C library: a dynamic busybox (the
 * `busybox` package installs one at the same path) would fail as /init with
 * nothing but "No working init found" to say why, so it is refused here.
 */
/// <summary>The members of a busybox initramfs: directories, /dev/console, busybox and its applets, the guest's scripts.</summary>
internal static class BusyBoxRoot
{
    internal const string DefaultPath = "/bin/busybox";
    private const string ResourcePrefix = "busybox-rootfs/";
    private const string InstallHint = "apt-get install busybox-static";

    internal static IReadOnlyList<CpioEntry> Entries(string busybox, long now)
    {
        CheckStatic(busybox);
        long bbTime = UnixFileInfo.Of(busybox).ModifiedSeconds;
        var entries = new List<CpioEntry>
        {
            CpioEntry.File("bin/busybox", 0x1ED /* 0755 */, bbTime, busybox),
            CpioEntry.Directory("tmp", 0x3FF | 0x200 /* 01777 */, now),
            CpioEntry.Directory("root", 0x1C0 /* 0700 */, now),
        };
        foreach (var dir in new[] { "proc", "sys", "run", "mnt", "var/log" })
            entries.Add(CpioEntry.Directory(dir, 0x1ED, now));
        foreach (var applet in Applets(busybox))
            if (applet != "bin/busybox") entries.Add(CpioEntry.Symlink(applet, "/bin/busybox", bbTime));
        foreach (var (name, data) in GuestFiles())
            entries.Add(CpioEntry.File(name, IsScript(data) ? 0x1EDu : 0x1A4u /* 0644 */, now, data));
        return entries;
    }

    /// <summary>The guest's own files, as built into the module: (path inside the guest, contents).</summary>
    internal static IEnumerable<(string Name, byte[] Data)> GuestFiles()
    {
        var assembly = typeof(BusyBoxRoot).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            yield return (resource.Substring(ResourcePrefix.Length), copy.ToArray());
        }
    }

    private static bool IsScript(byte[] data) => data.Length > 2 && data[0] == '#' && data[1] == '!';

    /// <summary>Every applet at the path busybox itself gives ("bin/sh", "sbin/acpid", "usr/bin/awk"...).</summary>
    private static IEnumerable<string> Applets(string busybox)
    {
        var result = HostCommand.Run(busybox, new[] { "--list-full" });
        if (result.ExitCode != 0)
            throw LguestErrors.Fail("BusyBoxInvalid", $"'{busybox} --list-full' failed (exit {result.ExitCode}): {result.Error.Trim()}");
        return result.Output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>An x86-64 ELF executable with no program interpreter (PT_INTERP), i.e. statically linked.</summary>
    private static void CheckStatic(string busybox)
    {
        if (!File.Exists(busybox))
            throw LguestErrors.Fail("BusyBoxNotFound", $"'{busybox}' does not exist. Install Debian's statically linked busybox: {InstallHint}");
        byte[] elf;
        try
        {
            elf = ReadPrefix(busybox, 64 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LguestErrors.Fail("BusyBoxInvalid", $"Cannot read '{busybox}': {e.Message}", e);
        }
        bool isElf64 = elf.Length >= 64 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F' && elf[4] == 2;
        if (!isElf64 || BitConverter.ToUInt16(elf, 0x12) != 0x3E /* EM_X86_64 */)
            throw LguestErrors.Fail("BusyBoxInvalid", $"'{busybox}' is not an x86-64 executable. Install Debian's busybox: {InstallHint}");
        long phoff = BitConverter.ToInt64(elf, 0x20);
        int phentsize = BitConverter.ToUInt16(elf, 0x36), phnum = BitConverter.ToUInt16(elf, 0x38);
        for (int i = 0; i < phnum; i++)
        {
            long at = phoff + (long)i * phentsize;
            if (phentsize < 4 || at + 4 > elf.Length) break;
            if (BitConverter.ToUInt32(elf, (int)at) == 3 /* PT_INTERP */)
                throw LguestErrors.Fail("BusyBoxNotStatic",
                    $"'{busybox}' is linked dynamically and would not run in an initramfs without its C library. Install the static one: {InstallHint}");
        }
    }

    private static byte[] ReadPrefix(string path, int max)
    {
        using var f = File.OpenRead(path);
        var buf = new byte[(int)Math.Min(max, f.Length)];
        int got = 0, n;
        while (got < buf.Length && (n = f.Read(buf, got, buf.Length - got)) > 0) got += n;
        return buf;
    }
}
