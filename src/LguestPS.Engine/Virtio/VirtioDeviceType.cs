
namespace LguestPS.Engine.Virtio;

/// <summary>Device types (virtio 1.x section 5) and their PCI device id: 0x1040 + type (section 4.1.2.1).</summary>
public enum VirtioDeviceType : ushort { Net = 1, Block = 2, Console = 3, Rng = 4 }
