using System.Runtime.InteropServices;

namespace LguestPS.Client;

/// <summary>The POSIX calls .NET Standard does not offer: sending SIGTERM, access(2), and mkdir(2) with a mode.</summary>
internal static class Posix
{
    internal const int SIGKILL = 9, SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int SysAccess(string path, int mode);

    private const int X_OK = 1;

    [DllImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static extern int SysMkdir(string path, uint mode);

    /// <summary>Creates a directory only its owner can enter (mode 0700, whatever the umask adds); false if it could not.</summary>
    internal static bool MakePrivateDirectory(string path) => SysMkdir(path, 0x1C0) == 0;

    [DllImport("libc", EntryPoint = "getpid")]
    internal static extern int GetProcessId();

    /// <summary>True when this process may execute the file.</summary>
    internal static bool IsExecutable(string path) => SysAccess(path, X_OK) == 0;

    /// <summary>Sends a signal; false if the process is already gone.</summary>
    internal static bool Kill(int pid, int signal) => pid > 0 && SysKill(pid, signal) == 0;
}
