using LguestPS.Engine.Bus;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Virtio.Transport;

namespace LguestPS.Engine.Vmm;

/*L:640
 * Where virtio meets KVM: doorbells become ioeventfds, MSI-X vectors become
 * GSIs with MSI routes and an irqfd each, INTx becomes an IOAPIC pin. One of
 * these lives for each boot, with that boot's VM.
 */
public sealed class VirtioHost : IVirtioHost, IMsiRouter, IDisposable
{
    private readonly KvmVm _vm;
    private readonly GsiRouting _routing;
    private readonly Dictionary<uint, EventFd> _irqfds = new();
    private readonly object _lock = new();

    public VirtioHost(KvmVm vm)
    {
        _vm = vm;
        _routing = new GsiRouting(vm);
    }

    public void AddKick(ulong gpa, uint len, EventFd fd)
    {
        try { _vm.AddIoEventFd(fd, gpa, len, pio: false); }
        catch (SysException e)
        {
            // Not fatal: the write then exits to us and the transport rings the doorbell itself.
            Log.Verbose($"no ioeventfd at 0x{gpa:x} ({e.Message}); kicks there take the slow path");
        }
    }

    public void RemoveKick(ulong gpa, uint len, EventFd fd)
    {
        try { _vm.RemoveIoEventFd(fd, gpa, len, pio: false); }
        catch (SysException) { } // it was never registered (see AddKick)
    }

    public IMsiRouter Msi => this;

    public IIrqLine Intx(int slot) => new Line(_vm, (uint)PciIntx.GsiFor(slot));

    uint IMsiRouter.Allocate()
    {
        uint gsi = _routing.AllocateMsi();
        var efd = new EventFd();
        _vm.AddIrqFd(efd, gsi);
        lock (_lock) _irqfds[gsi] = efd;
        return gsi;
    }

    void IMsiRouter.Route(uint handle, ulong address, uint data)
    {
        // Whatever a guest writes into an MSI-X table entry, KVM refusing it costs the guest that vector, not the VM.
        try { _routing.SetMsi(handle, address, data); }
        catch (SysException e) { Log.Verbose($"MSI route 0x{address:x}/0x{data:x} refused by KVM ({e.Message}); that vector stays silent"); }
    }

    void IMsiRouter.Fire(uint handle)
    {
        EventFd? efd;
        lock (_lock) _irqfds.TryGetValue(handle, out efd);
        efd?.Signal();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var e in _irqfds.Values) e.Dispose();
            _irqfds.Clear();
        }
    }

    private sealed class Line(KvmVm vm, uint gsi) : IIrqLine
    {
        public void Set(bool high) => vm.SetIrqLine(gsi, high);
    }
}
