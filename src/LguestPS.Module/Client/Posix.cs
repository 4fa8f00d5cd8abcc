using System.Runtime.InteropServices;

namespace LguestPS.Client;

/// <summary>The POSIX calls .NET Standard does not offer for processes: signals, and our own pid.</summary>
internal static class Posix
{
    internal const int SIGKILL = 9, SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);

    [DllImport("libc", EntryPoint = "getpid")]
    internal static extern int GetProcessId();

    /// <summary>Sends a signal; false if the process is already gone.</summary>
    internal static bool Kill(int pid, int signal) => pid > 0 && SysKill(pid, signal) == 0;
}
