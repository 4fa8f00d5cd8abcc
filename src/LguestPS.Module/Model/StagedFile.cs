using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace LguestPS;

/*
 * Every file the module makes on the host (an initramfs, a disk image, a
 * file copied out of a guest) is written under a temporary name beside its
 * destination and renamed into place only when it is whole: rename(2) in
 * one directory is atomic, so the destination is always either what it was
 * or the finished file, never a half-written one, and a failure (or Ctrl+C,
 * or a guest that dies mid-copy) leaves nothing behind but what was there.
 */
/// <summary>A file being made beside its destination; Commit moves it into place, Dispose without Commit deletes it.</summary>
internal sealed class StagedFile : IDisposable
{
    private bool _committed;

    private StagedFile(string destination, string tempPath)
    {
        Destination = destination;
        TempPath = tempPath;
    }

    /// <summary>The full path the file will have.</summary>
    internal string Destination { get; }

    /// <summary>Where it is written meanwhile: a hidden name in the same directory.</summary>
    internal string TempPath { get; }

    /// <summary>
    /// Checks the destination (its directory exists; it is not a directory; it does not
    /// exist unless <paramref name="overwrite"/>) and creates the empty temporary file.
    /// </summary>
    internal static StagedFile Create(string destination, bool overwrite)
    {
        string? dir = Path.GetDirectoryName(destination);
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir))
            throw LguestErrors.Fail("DestinationDirectoryNotFound", $"The directory of '{destination}' does not exist; create it first (New-Item -ItemType Directory).");
        if (Directory.Exists(destination))
            throw LguestErrors.Fail("DestinationIsDirectory", $"'{destination}' is a directory; give the path of the file to create.");
        if (File.Exists(destination) && !overwrite)
            throw LguestErrors.Fail("DestinationExists", $"'{destination}' exists already; add -Force to replace it.");
        string temp = Path.Combine(dir, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LguestErrors.Fail("DestinationUnwritable", $"Cannot create files in '{dir}': {e.Message}", e);
        }
        return new StagedFile(destination, temp);
    }

    internal FileStream OpenWrite() => new(TempPath, FileMode.Truncate, FileAccess.Write, FileShare.None, 81920);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int SysRename(string from, string to);

    /// <summary>Moves the finished file into place (replacing the destination, which Create allowed).</summary>
    internal FileInfo Commit()
    {
        if (SysRename(TempPath, Destination) != 0)
        {
            var e = new Win32Exception(Marshal.GetLastWin32Error());
            throw LguestErrors.Fail("DestinationUnwritable", $"Cannot move the finished file to '{Destination}': {e.Message}", e);
        }
        _committed = true;
        return new FileInfo(Destination);
    }

    public void Dispose()
    {
        if (_committed) return;
        try { File.Delete(TempPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* nothing more can be done; the name is hidden */ }
    }
}
