namespace LguestPS.Engine.Interop;

/// <summary>What fstat said about an open file: its kind, size, and identity (device and inode).</summary>
public readonly record struct FileFacts(FileKind Kind, long Size, ulong Device, ulong Inode)
{
    /// <summary>True when both name the same file, whatever paths led to them.</summary>
    public bool SameFileAs(FileFacts other) => Device == other.Device && Inode == other.Inode;
}
