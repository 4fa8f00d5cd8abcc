using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/// <summary>A raw descriptor on the worker: called while readable (nothing drained for it), silent while paused.</summary>
public unsafe class DeviceWorkerTests
{
    [Fact]
    public void ARawWatchIsLevelTriggeredAndCanBePausedAndResumed()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Sys.Fail("pipe2");
        using var r = new SafeFd(fds[0]);
        using var w = new SafeFd(fds[1]);
        int calls = 0, consumed = 0;
        using var resume = new EventFd();   // declared before the worker: it outlives it
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
        Assert.False(watch.Paused);
        worker.Start();

        byte* data = stackalloc byte[5];
        Assert.Equal(5, (long)write(w.Fd, data, 5));
        Wait(() => calls == 3);
        Thread.Sleep(100);
        Assert.Equal(3, calls);                                // paused: two bytes wait, unread
        resume.Signal();
        Wait(() => consumed == 5);
    }

    private static void Wait(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!done()) { Assert.True(DateTime.UtcNow < deadline, "timed out"); Thread.Sleep(5); }
    }
}
