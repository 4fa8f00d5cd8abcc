namespace LguestPS.Contract;

/*
 * Every failure the engine reports carries one of these ids, written by name
 * in the JSON `error` event. The module turns an id into its ErrorRecord's
 * errorId and category, and scripts match on it: add ids, never rename one.
 * docs/engine.md lists them with the exit each one ends a start-up with
 * (ErrorIds.ExitOf).
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
