using System.Runtime.CompilerServices;

namespace LguestPS.Engine.Interop;

/// <summary>
/// The _IO/_IOR/_IOW/_IOWR encoding of asm-generic/ioctl.h: direction, size,
/// type and number. Sizes come from the struct, never from a hex constant.
/// </summary>
public static class Ioc
{
    private const int NrShift = 0, TypeShift = 8, SizeShift = 16, DirShift = 30;
    private const uint None = 0, Write = 1, Read = 2;

    public static uint Encode(uint dir, uint type, uint nr, uint size) =>
        (dir << DirShift) | (type << TypeShift) | (nr << NrShift) | (size << SizeShift);

    public static uint IO(uint type, uint nr) => Encode(None, type, nr, 0);
    public static uint IOR<T>(uint type, uint nr) where T : unmanaged => Encode(Read, type, nr, (uint)Unsafe.SizeOf<T>());
    public static uint IOW<T>(uint type, uint nr) where T : unmanaged => Encode(Write, type, nr, (uint)Unsafe.SizeOf<T>());
    public static uint IOWR<T>(uint type, uint nr) where T : unmanaged => Encode(Read | Write, type, nr, (uint)Unsafe.SizeOf<T>());
}
