using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Interop;

/// <summary>A system call failed: names the operation and the errno.</summary>
public sealed class SysException(string operation, int errno)
    : EngineException(errno is 1 or 13 ? ErrorId.PermissionDenied : ErrorId.InternalError,
        $"{operation}: {Sys.StrError(errno)} (errno {errno})")
{
    public string Operation { get; } = operation;
    public int Errno { get; } = errno;
}
