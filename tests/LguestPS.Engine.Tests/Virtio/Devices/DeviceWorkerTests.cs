using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/// <summary>A raw descriptor on the worker: called while readable (nothing drained for it), silent while paused.</summary>
public unsafe class DeviceWorkerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10); // bounds a failure, never paces a pass

    [Fact]
    public void ARawWatchIsLevelTriggeredAndCanBePausedAndResumed()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Sys.Fail("pipe2");
        using var r = new SafeFd(fds[0]);
        using var w = new SafeFd(fds[1]);
        int calls = 0, consumed = 0, probes = 0;
        using var resume = new EventFd();   // declared before the worker: they outlive it
        using var probe = new EventFd();
        FdWatch? watch = null;
        using var worker = new DeviceWorker("test", _ => { });
        watch = worker.Watch(r, () =>
        {
            // Take one byte per call: the rest must bring us back (level-triggered). After three, stop watching.
            byte b;
            if (read(r.Fd, &b, 1) == 1) consumed++;
            if (++calls == 3) watch!.Pause();
        });
        worker.Watch(resume, () => watch!.Resume());
        worker.Watch(probe, () => Interlocked.Increment(ref probes));
        Assert.False(watch.Paused);
        worker.Start();

        byte* data = stackalloc byte[5];
        Assert.Equal(5, (long)write(w.Fd, data, 5));
        Wait(() => Volatile.Read(ref calls) == 3, "three calls, one byte each");
        // Two more turns of the loop while two bytes wait in the pipe: a watch still in the epoll set would be
        // called on each (it is readable), so after both probes come back the count must still be 3.
        for (int turn = 1; turn <= 2; turn++)
        {
            probe.Signal();
            Wait(() => Volatile.Read(ref probes) == turn, $"probe {turn}");
        }
        Assert.Equal(3, Volatile.Read(ref calls));             // paused: two bytes wait, unread
        resume.Signal();
        Wait(() => Volatile.Read(ref consumed) == 5, "the last two bytes after resuming");
    }

    private static void Wait(Func<bool> done, string what) =>
        Assert.True(SpinWait.SpinUntil(done, Patience), $"timed out waiting for {what}");
}
