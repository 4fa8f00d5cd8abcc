using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Platform;

/// <summary>Port 0x80 (POST codes, and Linux's I/O delay): accepted and forgotten, silently.</summary>
public sealed class PostCodePort : IPortDevice
{
    public uint Read(ushort offset, int size) => 0xFFFF_FFFF;
    public void Write(ushort offset, int size, uint value) { }
}
