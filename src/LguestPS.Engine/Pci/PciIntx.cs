namespace LguestPS.Engine.Pci;

/*
 * How INTA# of each slot on bus 0 reaches the IOAPIC: the one home of that
 * wiring. Slots share eight pins from 16 up, round-robin, level-triggered and
 * active-high as the MP table says (PCI interrupts are active-low on the bus;
 * the IOAPIC sees them after the board's inverter). The function's Interrupt
 * Line register tells the guest, the MP table tells it the same, and the Vmm
 * raises that GSI in KVM.
 */
public static class PciIntx
{
    public const int FirstGsi = 16, Gsis = 8;

    /// <summary>The IOAPIC pin (= KVM GSI) that INTA# of device 1..31 on bus 0 raises.</summary>
    public static int GsiFor(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slot, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, PciRoot.MaxDevices - 1);
        return FirstGsi + (slot - 1) % Gsis;
    }
}
