using System.Buffers.Binary;

namespace LguestPS.Engine.Pci;

/// <summary>
/// The host bridge at 00:00.0. Linux's type-1 configuration probe wants to
/// find a host bridge (class 06/00) on bus 0 before it trusts the mechanism.
/// </summary>
public sealed class PciHostBridge : PciFunction
{
    public PciHostBridge() : base("host bridge", vendor: 0x1B36, device: 0x0008, classCode: 0x06, subClass: 0x00) { }
}
