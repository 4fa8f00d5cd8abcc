using LguestPS.Contract;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Platform;
using LguestPS.Engine.Virtio;
using LguestPS.Engine.Virtio.Transport;

namespace LguestPS.Engine.Vmm;

/*L:620
 * The board: what a PC has soldered on besides the CPU, built afresh for
 * every boot so a reboot finds every device in its power-on state. The
 * interrupt controllers and the PIT live in the kernel (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2); here are the devices KVM leaves to us: the UART, the
 * keyboard controller's reset line, the clock, the ACPI power registers
 * (power-off, reset, the power button's GED), the PCI host bridge, one
 * virtio-pci function per device, in the order the command line gave them
 * (the console first, as the seed's device 1), and last the pvpanic device.
 */
public sealed class Board : IDisposable
{
    public IoBus Io { get; } = new();
    public MmioBus Mmio { get; } = new();
    public Serial8250 Serial { get; }
    public PciRoot Pci { get; }
    public IReadOnlyList<VirtioPci> Virtio { get; }
    /// <summary>The ACPI power registers, where the engine presses the guest's power button.</summary>
    public AcpiPowerDevice Power { get; }
    /// <summary>The PS/2 controller, where the engine types Ctrl+Alt+Del.</summary>
    public I8042 Keyboard { get; }
    private readonly VirtioHost _host;

    /// <param name="pvpanic">Called with the events the guest reports through pvpanic (PvPanicDevice's bits).</param>
    public Board(KvmVm vm, GuestMemory mem, ConsoleMux console, StopLatch stop, IReadOnlyList<IVirtioDevice> devices,
        Action<byte> pvpanic)
    {
        Pci = new PciRoot(Mmio);
        Serial = new Serial8250(console.SerialSink, new GsiLine(vm, Serial8250.Com1Irq));
        Io.Register(Serial8250.Com1, 8, "serial (COM1)", Serial);

        var kbd = new I8042(() => stop.TrySet(new VmExit(ExitReason.Reboot, "the guest rebooted")),
            new GsiLine(vm, (uint)Layout.I8042KeyboardIrq));
        Keyboard = kbd;
        Io.Register(I8042.DataPort, 1, "i8042 data", kbd);
        Io.Register(I8042.CommandPort, 1, "i8042 command", new OffsetPort(kbd, I8042.CommandPort - I8042.DataPort));
        Io.Register(I8042.ControlPortA, 1, "system control port A", kbd.PortA);
        Io.Register(0x70, 2, "CMOS RTC", new CmosRtc());
        Io.Register(0x80, 1, "POST code", new PostCodePort());
        Io.Register(PciRoot.ConfigAddressPort, 8, "PCI configuration", Pci);
        Power = new AcpiPowerDevice(
            powerOff: () => stop.TrySet(new VmExit(ExitReason.PowerOff, "the guest powered off")),
            reset: () => stop.TrySet(new VmExit(ExitReason.Reboot, "the guest rebooted (ACPI reset register)")),
            ged: new GsiLine(vm, (uint)Layout.GedIrq));
        Io.Register(Layout.AcpiPorts, Layout.AcpiPortCount, "ACPI power registers", Power);

        // BARs are placed as firmware would, one after another from the bottom of the PCI hole.
        _host = new VirtioHost(vm);
        var functions = new List<VirtioPci>();
        ulong bar = Layout.PciMmioStart;
        foreach (var dev in devices)
        {
            var fn = new VirtioPci(dev, mem, _host, bar);
            bar += fn.Bars[0].Size;
            Pci.Add(fn);
            functions.Add(fn);
        }
        Virtio = functions;
        Pci.Add(new PvPanicDevice(bar, pvpanic)); // bar is aligned for it: every virtio BAR is a larger power of two
    }

    /// <summary>Stops every device's worker and returns the devices to their power-on state.</summary>
    public void Dispose()
    {
        foreach (var fn in Virtio) fn.Dispose();
        _host.Dispose();
    }

    /// <summary>An interrupt line wired to a KVM GSI: the one place a platform device's IRQ meets KVM.</summary>
    private sealed class GsiLine(KvmVm vm, uint gsi) : IIrqLine
    {
        public void Set(bool high) => vm.SetIrqLine(gsi, high);
    }

    /// <summary>Presents a single port of a device whose registers are spread out (i8042: 0x60 and 0x64).</summary>
    private sealed class OffsetPort(IPortDevice dev, ushort offset) : IPortDevice
    {
        public uint Read(ushort o, int size) => dev.Read((ushort)(o + offset), size);
        public void Write(ushort o, int size, uint value) => dev.Write((ushort)(o + offset), size, value);
    }
}
