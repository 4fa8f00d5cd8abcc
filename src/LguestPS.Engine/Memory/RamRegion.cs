using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace LguestPS.Engine.Memory;

/// <summary>One stretch of guest RAM as KVM needs to hear about it.</summary>
public readonly record struct RamRegion(ulong Gpa, ulong Size, nint HostAddress);
