using System.Diagnostics;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio;

/*L:490
 * After a device drains its queue, new requests often follow within a few
 * microseconds. If it went straight to sleep, the driver would have to ring
 * the doorbell for each: a VM exit every time, and on a host whose KVM
 * emulates the guest (PVM) an expensive one. So a busy device keeps kicks
 * switched off and watches the ring for a short while first, the way
 * QEMU's iothread polling and Firecracker's event loop budget do. An idle
 * device pays the budget once and then sleeps.
 */
public static class Polling
{
    /// <summary>How long a device watches its ring before sleeping.</summary>
    public static readonly long Budget = Stopwatch.Frequency / 20_000; // 50 µs

    /// <summary>Spins until the queue has work (true) or the budget is spent (false).</summary>
    public static bool WaitForMore(Virtqueue vq)
    {
        long deadline = Stopwatch.GetTimestamp() + Budget;
        do
        {
            if (vq.HasAvailable()) return true;
            Thread.Yield(); // a busy host (or a small one) gets the core back at once
        } while (Stopwatch.GetTimestamp() < deadline);
        return false;
    }
}
