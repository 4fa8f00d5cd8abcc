using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace LguestPS.Engine.Memory;

/// <summary>An access outside guest RAM, or one whose end wraps around.</summary>
public sealed class GuestMemoryException(ulong gpa, ulong len)
    : Exception($"guest-physical access [0x{gpa:x}, +0x{len:x}) is outside guest RAM")
{
    public ulong Gpa { get; } = gpa;
    public ulong Length { get; } = len;
}
