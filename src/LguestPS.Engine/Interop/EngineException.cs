namespace LguestPS.Engine.Interop;

/*
 * Every failure the engine reports to a user carries a stable id. The id is
 * what the PowerShell module maps to an ErrorRecord (its errorId and
 * category), so ids are part of our public contract: add new ones, never
 * rename old ones. docs/engine.md lists them.
 */
public enum ErrorId
{
    UsageError,
    InvalidArgument,
    KernelNotFound,
    KernelUnreadable,
    KernelInvalid,
    InitrdNotFound,
    InitrdUnreadable,
    InitrdTooLarge,
    MemoryTooSmall,
    MemoryTooLarge,
    KvmUnavailable,
    KvmFailed,
    PermissionDenied,
    DeviceInvalid,
    InternalError,
    DiskInUse,
}

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
