using LguestPS.Contract;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

public class StopLatchTests
{
    [Fact]
    public void TheWaiterIsLetGoOnlyAfterTheStopActionHasRun()
    {
        // The waiter disposes the vCPUs the action kicks: it must never overtake the action.
        var latch = new StopLatch();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool actionDone = false;
        latch.OnStop(() => { entered.Set(); release.Wait(); Volatile.Write(ref actionDone, true); });
        bool set = false, doneWhenLetGo = false;
        // Threads of their own, not the pool's: a busy pool would delay the waiter and hide the bug.
        var setter = new Thread(() => set = latch.TrySet(new VmExit(ExitReason.SigTerm, "stopped by SIGTERM")));
        setter.Start();
        entered.Wait();
        var waiter = new Thread(() => { latch.Wait(); doneWhenLetGo = Volatile.Read(ref actionDone); });
        waiter.Start();
        Assert.False(waiter.Join(200), "Wait returned while the stop action was still running");
        release.Set();
        waiter.Join();
        setter.Join();
        Assert.True(doneWhenLetGo);
        Assert.True(set);
        Assert.False(latch.TrySet(new VmExit(ExitReason.Reboot, "second")));
        Assert.Equal(ExitReason.SigTerm, latch.Exit!.Reason);
    }
}
