using System.Runtime.InteropServices;
using Tmds.Linux;

namespace LguestPS.Engine.Interop;

/// <summary>A file descriptor that is closed exactly once, however we leave.</summary>
public sealed class SafeFd : SafeHandle
{
    public SafeFd(int fd, bool ownsHandle = true) : base(-1, ownsHandle) => SetHandle(fd);

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw number, for the syscall in hand. Do not keep it.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => LibC.close(Fd) == 0;
}
