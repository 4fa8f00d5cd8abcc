using LguestPS.Contract;

namespace LguestPS.Engine.Interop;

/// <summary>A failure with a stable id and one line of text that tells the user what was wrong and what to do.</summary>
public class EngineException(ErrorId id, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorId Id { get; } = id;
}

/// <summary>A system call failed: names the operation and the errno.</summary>
public sealed class SysException(string operation, int errno)
    : EngineException(errno is 1 or 13 ? ErrorId.PermissionDenied : ErrorId.InternalError,
        $"{operation}: {Sys.StrError(errno)} (errno {errno})")
{
    public string Operation { get; } = operation;
    public int Errno { get; } = errno;
}
