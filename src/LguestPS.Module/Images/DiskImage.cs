using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LguestPS.Images;

/*
 * New-LguestDisk's work: a raw disk image, the format the engine's virtio
 * block device serves byte for byte. It is sparse (a length set, nothing
 * written), so a 10 GiB disk costs the host nothing until the guest writes.
 *
 * A file system is made by Debian's mke2fs (e2fsprogs): `-d <folder>` copies
 * the folder into the new file system as it is made, with no mount and so
 * no root. -F because the target is a file, not a block device; -E
 * root_owner=0:0 so the file system's root belongs to root whoever runs us.
 */
/// <summary>Creates raw disk images, empty or with an ext2/3/4 file system made from a folder.</summary>
internal static class DiskImage
{
    internal static readonly string[] FileSystems = { "ext4", "ext3", "ext2" };
    private static readonly string[] Mke2fsPlaces = { "/usr/sbin/mke2fs", "/sbin/mke2fs", "/usr/bin/mke2fs" };
    private const string InstallHint = "apt-get install e2fsprogs";

    /// <summary>The largest image: 16 TiB, ext4's limit with 4 KiB blocks and 32-bit block numbers.</summary>
    internal const int MaxSizeMB = 16 * 1024 * 1024;

    internal sealed class Options
    {
        internal string Path { get; set; } = "";
        internal int SizeMB { get; set; }
        internal string? FileSystem { get; set; }
        internal string? SourcePath { get; set; }
        internal string? Label { get; set; }
        internal bool Force { get; set; }
    }

    /// <summary>The checks ShouldProcess should not wait for: the folder exists, mke2fs is there when needed.</summary>
    internal static void Check(Options o)
    {
        if (o.SizeMB < 1 || o.SizeMB > MaxSizeMB)
            throw LguestErrors.Fail("DiskSizeInvalid", $"-SizeMB {o.SizeMB} is not a disk size: give 1 to {MaxSizeMB} MiB.");
        if (o.SourcePath != null)
        {
            o.FileSystem ??= FileSystems[0]; // a folder to copy needs a file system to copy it into
            Initramfs.CheckSource(o.SourcePath);
        }
        if (o.FileSystem != null) FindMke2fs();
    }

    internal static FileInfo Create(Options o)
    {
        Check(o);
        using var staged = StagedFile.Create(o.Path, o.Force);
        try
        {
            using (var f = staged.OpenWrite()) f.SetLength((long)o.SizeMB << 20);
        }
        catch (IOException e)
        {
            throw LguestErrors.Fail("DestinationUnwritable", $"Cannot make a {o.SizeMB} MiB file at '{o.Path}': {e.Message}", e);
        }
        if (o.FileSystem != null) MakeFileSystem(o, staged.TempPath);
        return staged.Commit();
    }

    private static string FindMke2fs() =>
        Mke2fsPlaces.FirstOrDefault(File.Exists)
        ?? throw LguestErrors.Fail("Mke2fsNotFound", $"mke2fs (from e2fsprogs) is not installed, so no ext file system can be made. Install it: {InstallHint}");

    private static void MakeFileSystem(Options o, string image)
    {
        var args = new List<string> { "-q", "-F", "-t", o.FileSystem!, "-E", "root_owner=0:0" };
        if (o.Label != null) args.AddRange(new[] { "-L", o.Label });
        if (o.SourcePath != null) args.AddRange(new[] { "-d", o.SourcePath });
        args.Add(image);
        string mke2fs = FindMke2fs();
        HostCommand.Result result;
        try
        {
            result = HostCommand.Run(mke2fs, args);
        }
        catch (Win32Exception e)
        {
            throw LguestErrors.Fail("Mke2fsNotFound", $"Cannot run {mke2fs}: {e.Message}. Reinstall it: {InstallHint}", e);
        }
        if (result.ExitCode != 0)
        {
            string said = (result.Error + result.Output).Trim().Replace(image, o.Path);
            string hint = o.SourcePath != null ? " If the folder does not fit, give a larger -SizeMB." : "";
            throw LguestErrors.Fail("DiskFormatFailed", $"mke2fs could not make {o.FileSystem} on '{o.Path}' ({o.SizeMB} MiB): {said}{hint}");
        }
    }
}
