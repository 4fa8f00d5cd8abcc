using System.Runtime.InteropServices;

namespace LguestPS.Engine.Interop;

/// <summary>struct flock (fcntl.h): one byte-range lock.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Flock
{
    public short l_type;
    public short l_whence;
    public long l_start;
    public long l_len;
    public int l_pid;
}
