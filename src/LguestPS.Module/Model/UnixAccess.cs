using System.Runtime.InteropServices;

namespace LguestPS;

/*
 * access(2): may this process read, write or run a file? Asked without
 * opening it, because .NET opens every file with an flock(2) of its own on
 * Unix, and a disk a running VM holds is locked: opening it to look would
 * fail with a sharing violation (or, worse, take a lock an engine then
 * trips over). The engine is the one that locks disks and reports one in
 * use, at start, as DiskInUse.
 */
/// <summary>Permission checks on a path, without opening (or locking) the file.</summary>
internal static class UnixAccess
{
    private const int X_OK = 1, W_OK = 2, R_OK = 4;

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int SysAccess(string path, int mode);

    internal static bool CanRead(string path) => SysAccess(path, R_OK) == 0;

    internal static bool CanWrite(string path) => SysAccess(path, W_OK) == 0;

    internal static bool CanExecute(string path) => SysAccess(path, X_OK) == 0;
}
