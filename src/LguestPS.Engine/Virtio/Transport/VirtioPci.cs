using System.Buffers.Binary;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Transport;

/*L:500
 * Virtio over PCI, the modern (1.x) way: virtio 1.2 section 4.1. The seed
 * laid its device out the same way (L:217), and so do we, with one
 * difference that matters for speed: the guest's doorbell writes land on an
 * ioeventfd and its interrupts leave through MSI-X and an irqfd, so neither a
 * kick nor a completion costs a trip through this process.
 *
 * Everything lives in BAR0, a 64-bit memory BAR, one page per part:
 *
 *   0x0000  common configuration (4.1.4.3)    0x3000  notify: 4 bytes per queue (4.1.4.4)
 *   0x1000  ISR status (4.1.4.5)              0x4000  MSI-X table, then its PBA
 *   0x2000  device configuration (4.1.4.6)
 *
 * and vendor capabilities in configuration space point the driver at each
 * part, plus the PCI-configuration access window (4.1.4.9).
 */
public sealed partial class VirtioPci : PciFunction, IMmioDevice, IDisposable
{
    public const ushort VendorVirtio = 0x1AF4;
    private const ulong BarSize = 0x8000;
    private const int CommonOffset = 0x0000, CommonSize = 0x40, IsrOffset = 0x1000, DeviceOffset = 0x2000,
        NotifyOffset = 0x3000, MsixOffset = 0x4000, NotifyMultiplier = 4;
    private const byte CapVendor = 0x09;
    private const byte CfgCommon = 1, CfgNotify = 2, CfgIsr = 3, CfgDevice = 4, CfgPci = 5;

    private readonly IVirtioDevice _dev;
    private readonly GuestMemory _mem;
    private readonly IVirtioHost _host;
    private readonly Virtqueue[] _queues;
    private readonly EventFd[] _kicks;
    private readonly MsiX _msix;
    private readonly int _pciCfgCap;
    private readonly object _lock = new();
    private IIrqLine? _intx;

    public VirtioPci(IVirtioDevice dev, GuestMemory mem, IVirtioHost host, ulong barAddress)
        : base(dev.Name, VendorVirtio, (ushort)(0x1040 + (ushort)dev.Type), dev.PciClass.Class, dev.PciClass.Subclass, revision: 1)
    {
        _dev = dev;
        _mem = mem;
        _host = host;
        // 4.1.2.1: a non-transitional device has revision >= 1 and subsystem device id >= 0x40.
        Set16(SubsystemVendorId, VendorVirtio);
        Set16(SubsystemId, 0x40);
        Config[InterruptPin] = 1; // INTA#, used only if the driver does not enable MSI-X

        int n = dev.QueueMaxSizes.Count;
        _queues = dev.QueueMaxSizes.Select(max => new Virtqueue(mem, max)).ToArray();
        _kicks = Enumerable.Range(0, n).Select(_ => new EventFd()).ToArray();
        _queueVector = Enumerable.Repeat(NoVector, n).ToArray();
        _msix = new MsiX(n + 1, host.Msi);

        AddMemoryBar(0, BarSize, is64: true, this, barAddress);
        AddVirtioCap(CfgCommon, CommonOffset, CommonSize);
        AddVirtioCap(CfgNotify, NotifyOffset, (uint)(NotifyMultiplier * n), extra: NotifyMultiplier);
        AddVirtioCap(CfgIsr, IsrOffset, 4);
        if (dev.ConfigSize > 0) AddVirtioCap(CfgDevice, DeviceOffset, (uint)dev.ConfigSize);
        // The access window: bar, offset and length are the driver's to set, and so is the data dword.
        _pciCfgCap = AddCapability(CapVendor, VirtioCapBody(CfgPci, 0, 0, 0),
            [0, 0, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        _msixCap = AddCapability(MsiX.CapId, _msix.CapabilityBody(0, MsixOffset), MsiX.CapabilityMask());
        BarMoved = OnBarMoved;
    }

    private int _msixCap;

    private static byte[] VirtioCapBody(byte cfgType, uint offset, uint length, uint? extra)
    {
        // struct virtio_pci_cap after cap_vndr/cap_next: cap_len, cfg_type, bar, id, padding[2], offset, length [, extra]
        var b = new byte[extra is null ? 14 : 18];
        b[0] = (byte)(b.Length + 2);
        b[1] = cfgType;
        b[2] = 0; // BAR0
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(6), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), length);
        if (extra is uint x) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(14), x);
        return b;
    }

    private void AddVirtioCap(byte cfgType, uint offset, uint length, uint? extra = null) =>
        AddCapability(CapVendor, VirtioCapBody(cfgType, offset, length, extra));

    protected override void OnAttached(int slot) => _intx = _host.Intx(slot);

    /*
     * The guest may move BAR0 (Linux keeps where firmware put it, but need not).
     * The doorbells are registered with KVM by address, so they move with it.
     */
    private void OnBarMoved(PciBar bar, ulong oldAddr, ulong newAddr)
    {
        for (int q = 0; q < _kicks.Length; q++)
        {
            ulong off = (ulong)(NotifyOffset + NotifyMultiplier * q);
            if (oldAddr != 0) _host.RemoveKick(oldAddr + off, 2, _kicks[q]);
            if (newAddr != 0) _host.AddKick(newAddr + off, 2, _kicks[q]);
        }
    }

    // BAR0 dispatch. Accesses are 1, 2, 4 or 8 bytes (KVM splits nothing bigger); each part checks its own rules.
    public void Read(ulong offset, Span<byte> data)
    {
        data.Clear();
        ulong end = offset + (ulong)data.Length;
        if (end <= CommonSize) ReadCommon((int)offset, data);
        else if (offset >= IsrOffset && end <= IsrOffset + 4) { if (offset == IsrOffset) data[0] = ReadIsr(); }
        else if (offset >= DeviceOffset && end <= DeviceOffset + (ulong)_dev.ConfigSize) lock (_lock) _dev.ReadConfig((int)(offset - DeviceOffset), data);
        else if (offset >= MsixOffset && end <= MsixOffset + (ulong)_msix.RegionSize) _msix.Read(offset - MsixOffset, data);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        ulong end = offset + (ulong)data.Length;
        if (end <= CommonSize) WriteCommon((int)offset, data);
        else if (offset >= DeviceOffset && end <= DeviceOffset + (ulong)_dev.ConfigSize) lock (_lock) _dev.WriteConfig((int)(offset - DeviceOffset), data);
        else if (offset >= NotifyOffset && end <= NotifyOffset + (ulong)(NotifyMultiplier * _queues.Length))
        {
            // A doorbell write KVM did not catch (not the 2-byte write we registered): ring it ourselves.
            int q = (int)(offset - NotifyOffset) / NotifyMultiplier;
            _kicks[q].Signal();
        }
        else if (offset >= MsixOffset && end <= MsixOffset + (ulong)_msix.RegionSize) _msix.Write(offset - MsixOffset, data);
    }

    /*
     * 4.1.4.9: the VIRTIO_PCI_CAP_PCI_CFG window lets a driver reach BAR0
     * through configuration space. The driver sets bar, offset and length,
     * then reads or writes pci_cfg_data; anything but BAR0 with a length of
     * 1, 2 or 4 at an aligned offset inside it is ignored, as the spec allows.
     */
    private bool WindowTarget(out ulong offset, out int length)
    {
        int c = _pciCfgCap + 2;
        offset = Get32(c + 6);
        length = (int)Get32(c + 10);
        return Config[c + 2] == 0 && length is 1 or 2 or 4 && offset % (ulong)length == 0 && offset + (ulong)length <= BarSize;
    }

    private int WindowData => _pciCfgCap + 2 + 14;

    protected override void OnRead(int offset, int size)
    {
        if (offset < WindowData + 4 && offset + size > WindowData && WindowTarget(out ulong o, out int len))
        {
            Span<byte> buf = stackalloc byte[4];
            buf.Clear();
            Read(o, buf[..len]);
            buf.CopyTo(Config.AsSpan(WindowData));
        }
    }

    protected override void OnWrite(int offset, int size)
    {
        if (offset < WindowData + 4 && offset + size > WindowData && WindowTarget(out ulong o, out int len))
            Write(o, Config.AsSpan(WindowData, len));
        if (offset < _msixCap + 4 && offset + size > _msixCap + 2)
            _msix.ControlWritten(Get16(_msixCap + 2));
    }

    /// <summary>The board is going away (reboot or exit): stop the worker and put the device back to power-on state.</summary>
    public void Dispose()
    {
        lock (_lock) ResetLocked();
        foreach (var k in _kicks) k.Dispose();
    }
}
