
namespace LguestPS.Engine.Bus;

/// <summary>A device on the x86 I/O port bus. Offsets are relative to the device's first port.</summary>
public interface IPortDevice
{
    uint Read(ushort offset, int size);
    void Write(ushort offset, int size, uint value);
}
