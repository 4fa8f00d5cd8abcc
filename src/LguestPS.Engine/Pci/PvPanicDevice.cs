using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Pci;

/*L:320
 * pvpanic, the PCI flavour (QEMU's docs/specs/pvpanic.rst; Linux's
 * pvpanic-pci driver): a guest whose kernel panics says so through one
 * byte in BAR0, so the host learns of it at once rather than from a console
 * that stops talking. Read, the byte tells which events the device knows;
 * written, which happened:
 *
 *   bit 0  PANICKED      the guest panicked; the host should act (we stop the VM)
 *   bit 1  CRASH_LOADED  it panicked but a crash kernel takes over; only report it
 *   bit 2  SHUTDOWN      a regular shutdown is under way (newer kernels, just
 *                        before they power off)
 *
 * Bits the device does not know are ignored, as the spec asks. Linux's
 * driver writes from its panic notifier, which runs after the "Kernel panic
 * - not syncing" line went out on the console.
 */
public sealed class PvPanicDevice : PciFunction, IMmioDevice
{
    public const ushort VendorRedHat = 0x1B36, PvPanicId = 0x0011;
    public const byte Panicked = 1 << 0, CrashLoaded = 1 << 1, Shutdown = 1 << 2;
    private const byte Known = Panicked | CrashLoaded | Shutdown;
    /// <summary>The smallest memory BAR PCI allows (the register is one byte).</summary>
    public const ulong BarSize = 16;
    private readonly Action<byte> _event;

    /// <param name="event">Called with the known bits of each non-zero write.</param>
    public PvPanicDevice(ulong barAddress, Action<byte> @event)
        : base("pvpanic", VendorRedHat, PvPanicId, classCode: 0x08, subClass: 0x80, revision: 1) // "other system peripheral", as QEMU's
    {
        _event = @event;
        Set16(SubsystemVendorId, VendorRedHat);
        Set16(SubsystemId, PvPanicId);
        AddMemoryBar(0, BarSize, is64: false, this, barAddress);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Clear();
        if (offset == 0 && data.Length > 0) data[0] = Known;
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset != 0 || data.Length == 0) return;
        byte e = (byte)(data[0] & Known);
        if (e != 0) _event(e);
    }
}
