using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Virtio.Transport;

/// <summary>
/// What the virtio-pci transport needs from the VMM, and nothing more: doorbells
/// (ioeventfd), MSI routing (irqfd) and the function's INTx line.
/// </summary>
public interface IVirtioHost
{
    /// <summary>Makes a <paramref name="len"/>-byte guest write to <paramref name="gpa"/> signal <paramref name="fd"/> without an exit.</summary>
    void AddKick(ulong gpa, uint len, EventFd fd);
    void RemoveKick(ulong gpa, uint len, EventFd fd);
    IMsiRouter Msi { get; }
    /// <summary>The INTx line of the device in <paramref name="slot"/> (routed as PciIntx says).</summary>
    IIrqLine Intx(int slot);
}
