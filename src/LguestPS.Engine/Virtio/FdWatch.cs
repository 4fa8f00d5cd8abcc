using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Virtio;

/// <summary>One descriptor a DeviceWorker watches. Pause and Resume belong to the worker's thread (or to set-up before Start).</summary>
public sealed class FdWatch
{
    private readonly SafeFd _epoll, _fd;
    private readonly int _index;

    internal FdWatch(SafeFd epoll, int index, SafeFd fd, EventFd? drain, Action handler)
    {
        _epoll = epoll;
        _index = index;
        _fd = fd;
        Drain = drain;
        Handler = handler;
    }

    internal EventFd? Drain { get; }
    internal Action Handler { get; }

    /// <summary>True while the descriptor is out of the epoll set: its handler is not called.</summary>
    public bool Paused { get; private set; } = true;

    /// <summary>Stops watching (epoll_ctl DEL: not even an error or hang-up wakes the worker for it).</summary>
    // SAFETY: EPOLL_CTL_DEL takes no event (null).
    public unsafe void Pause()
    {
        if (Paused) return;
        if (epoll_ctl(_epoll.Fd, EPOLL_CTL_DEL, _fd.Fd, null) != 0) throw Sys.Fail("epoll_ctl(DEL)");
        Paused = true;
    }

    /// <summary>Watches again; if the descriptor is readable already, the handler runs on the next turn of the loop.</summary>
    // SAFETY: epoll_ctl(2) reads the epoll_event local whose address it gets.
    public unsafe void Resume()
    {
        if (!Paused) return;
        var ev = new epoll_event { events = EPOLLIN };
        ev.data.u64 = (ulong)_index;
        if (epoll_ctl(_epoll.Fd, EPOLL_CTL_ADD, _fd.Fd, &ev) != 0) throw Sys.Fail("epoll_ctl(ADD)");
        Paused = false;
    }
}
