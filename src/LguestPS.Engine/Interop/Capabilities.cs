using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Interop;

/*
 * Giving up every capability (capabilities(7)) while keeping our uid: what
 * --chroot without --username leaves a root engine with, so that the root
 * it still is cannot use root's powers (a chroot escape needs CAP_SYS_CHROOT,
 * mknod CAP_MKNOD, ...). The bounding set goes first (dropping from it needs
 * CAP_SETPCAP, which the capset then takes away), then the ambient set, then
 * the effective, permitted and inheritable sets, all to nothing.
 */
public static class Capabilities
{
    private const int PR_CAPBSET_DROP = 24, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    private const uint LinuxCapabilityVersion3 = 0x20080522;

    [StructLayout(LayoutKind.Sequential)]
    private struct Header { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data { public uint Effective, Permitted, Inheritable; }

    /// <summary>Empties every capability set of this process. Irreversible.</summary>
    // SAFETY: capset(2) reads the header and the two data structs (version 3: 64 bits in two halves) from the stack.
    public static unsafe void DropAll()
    {
        for (ulong cap = 0; cap < 64; cap++) // past the kernel's last capability, EINVAL
            if (Glibc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && Marshal.GetLastPInvokeError() != EINVAL)
                throw new SysException($"prctl(PR_CAPBSET_DROP, {cap})", Marshal.GetLastPInvokeError());
        if (Glibc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && Marshal.GetLastPInvokeError() != EINVAL)
            throw new SysException("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", Marshal.GetLastPInvokeError());
        var header = new Header { Version = LinuxCapabilityVersion3, Pid = 0 };
        Data* data = stackalloc Data[2];
        data[0] = default;
        data[1] = default;
        if (capset(&header, data) != 0) throw new SysException("capset", Marshal.GetLastPInvokeError());
    }

    [DllImport("libc", SetLastError = true)]
    // SAFETY: as DropAll says: a header and two data structs, on the caller's stack.
    private static extern unsafe int capset(Header* header, Data* data);
}
