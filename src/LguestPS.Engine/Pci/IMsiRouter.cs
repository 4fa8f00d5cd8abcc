using System.Buffers.Binary;

namespace LguestPS.Engine.Pci;

/// <summary>Where MSI-X messages go: the VMM routes each vector to a KVM GSI fed by an irqfd.</summary>
public interface IMsiRouter
{
    /// <summary>A new vector's handle (a GSI), routed nowhere until Route is called.</summary>
    uint Allocate();
    /// <summary>Points the vector at the message the guest programmed.</summary>
    void Route(uint handle, ulong address, uint data);
    /// <summary>Delivers the vector's message (from any thread; cheap: an eventfd write).</summary>
    void Fire(uint handle);
}
