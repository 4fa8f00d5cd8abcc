using System.Buffers.Binary;

namespace LguestPS.Engine.Boot;

/// <summary>One PT_LOAD segment: FileSize bytes from FileOffset go to Paddr, the rest of MemSize is zeroed.</summary>
public readonly record struct ElfSegment(ulong FileOffset, ulong Paddr, ulong FileSize, ulong MemSize)
{
    public ulong End => Paddr + MemSize;
}
