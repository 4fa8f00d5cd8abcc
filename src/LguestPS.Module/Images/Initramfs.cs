using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace LguestPS.Images;

/*
 * New-LguestInitramfs's work: a folder (and, with -BusyBox, a busybox
 * userspace beneath it) packed as the newc cpio the kernel unpacks into its
 * root file system.
 *
 * Members are kept in one table by path, so "the folder's files on top"
 * means exactly that: a file of the folder replaces busybox's member of the
 * same name (an /init of your own, a real /bin/sh). Every member's parent
 * directories come first, made when nothing names them (the kernel's
 * unpacker creates no missing directories), and the table is written in
 * ordinal order, in which a parent always precedes its children.
 *
 * Uncompressed unless asked: on a software-only KVM the kernel's inflate
 * runs in the instruction emulator (PLATFORM.md: ~25 s more for busybox).
 */
/// <summary>Builds an initramfs archive from a folder and optionally a busybox userspace.</summary>
internal static class Initramfs
{
    internal sealed class Options
    {
        internal string Path { get; set; } = "";
        internal string? SourcePath { get; set; }
        internal bool BusyBox { get; set; }
        internal string BusyBoxPath { get; set; } = BusyBoxRoot.DefaultPath;
        internal bool Compress { get; set; }
        internal bool Force { get; set; }
    }

    /// <summary>Checks what can be checked before ShouldProcess: the folder exists and is a folder.</summary>
    internal static void CheckSource(string? sourcePath)
    {
        if (sourcePath == null) return;
        if (File.Exists(sourcePath))
            throw LguestErrors.Fail("SourcePathNotADirectory", $"-SourcePath '{sourcePath}' is a file; give the folder whose contents become the guest's root.");
        if (!Directory.Exists(sourcePath))
            throw LguestErrors.Fail("SourcePathNotFound", $"-SourcePath '{sourcePath}' does not exist.");
    }

    /// <summary>Writes the archive (to a temporary file, moved into place when whole); returns it.</summary>
    internal static FileInfo Create(Options options)
    {
        CheckSource(options.SourcePath);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var members = new SortedDictionary<string, CpioEntry>(StringComparer.Ordinal);
        void Put(CpioEntry e) => members[e.Name] = e;

        // The kernel opens /dev/console for init's stdin, stdout and stderr before init can mount devtmpfs.
        Put(CpioEntry.Directory("dev", 0x1ED, now));
        Put(CpioEntry.Node("dev/console", UnixFileInfo.CharDevice, 0x180 /* 0600 */, 5, 1, now));
        if (options.BusyBox)
            foreach (var e in BusyBoxRoot.Entries(options.BusyBoxPath, now)) Put(e);
        if (options.SourcePath != null)
            foreach (var e in FromFolder(options.SourcePath)) Put(e);
        AddParents(members, now);

        using var staged = StagedFile.Create(options.Path, options.Force);
        try
        {
            using var file = staged.OpenWrite();
            using Stream output = options.Compress ? new GZipStream(file, CompressionLevel.Optimal) : file;
            var writer = new CpioWriter(output);
            foreach (var e in members.Values) writer.Add(e);
            writer.Finish();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LguestErrors.Fail("InitramfsWriteFailed", $"Could not write '{options.Path}': {e.Message}", e);
        }
        return staged.Commit();
    }

    /// <summary>The folder's contents as members: type, permissions and mtime as they are; owner root; symlinks kept as links.</summary>
    internal static IEnumerable<CpioEntry> FromFolder(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (string path in Directory.EnumerateFileSystemEntries(dir))
            {
                var info = Stat(path);
                string name = path.Substring(root.Length).TrimStart('/');
                switch (info.Type)
                {
                    case UnixFileInfo.Directory:
                        yield return CpioEntry.Directory(name, info.Permissions, info.ModifiedSeconds);
                        pending.Push(path);
                        break;
                    case UnixFileInfo.Regular:
                        if (info.Size > CpioWriter.MaxMemberSize)
                            throw LguestErrors.Fail("SourceFileTooLarge", $"'{path}' is {info.Size} bytes; an initramfs member holds at most 4 GiB. Put it on a disk (New-LguestDisk -SourcePath).");
                        yield return CpioEntry.File(name, info.Permissions, info.ModifiedSeconds, path);
                        break;
                    case UnixFileInfo.Symlink:
                        yield return CpioEntry.Symlink(name, info.ReadLinkTarget(), info.ModifiedSeconds);
                        break;
                    case UnixFileInfo.CharDevice or UnixFileInfo.BlockDevice or UnixFileInfo.Fifo:
                        yield return CpioEntry.Node(name, info.Type, info.Permissions, info.DeviceMajor, info.DeviceMinor, info.ModifiedSeconds);
                        break;
                    default:
                        // A socket belongs to a running program: there is nothing to archive.
                        break;
                }
            }
        }
    }

    private static UnixFileInfo Stat(string path)
    {
        try
        {
            return UnixFileInfo.Of(path);
        }
        catch (Win32Exception e)
        {
            throw LguestErrors.Fail("SourcePathUnreadable", $"Cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>Adds a directory for every parent no member names; a parent that is not a directory is a conflict.</summary>
    private static void AddParents(SortedDictionary<string, CpioEntry> members, long now)
    {
        foreach (var name in members.Keys.ToList())
        {
            for (int slash = name.LastIndexOf('/'); slash > 0; slash = name.LastIndexOf('/', slash - 1))
            {
                string parent = name.Substring(0, slash);
                if (!members.TryGetValue(parent, out var existing))
                    members[parent] = CpioEntry.Directory(parent, 0x1ED, now);
                else if (existing.Type != UnixFileInfo.Directory)
                    throw LguestErrors.Fail("InitramfsPathConflict", $"'{parent}' is not a directory in the archive, but '{name}' needs it as one; rename one of them in -SourcePath.");
                else
                    break; // its own parents were handled when it was met
            }
        }
    }
}
