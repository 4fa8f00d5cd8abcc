using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Virtio;

/*L:320
 * Each active device gets one thread, sleeping in epoll on its queues'
 * doorbells (the eventfds KVM signals when the guest writes a queue's notify
 * address: no exit to us) and on whatever else the device waits for (its
 * input source). The seed had a thread per queue; one per device keeps a
 * device's queues from racing each other and costs no more.
 *
 * Stop() wakes it through its own eventfd and waits for it, so a device reset
 * never overlaps a request in flight.
 */
public sealed unsafe class DeviceWorker : IDisposable
{
    private readonly string _name;
    private readonly SafeFd _epoll;
    private readonly EventFd _stop = new();
    private readonly List<(EventFd Fd, Action Handler, bool Drain)> _watches = new();
    private readonly Action<Exception> _onFailure;
    private Thread? _thread;
    private volatile bool _stopping;

    public DeviceWorker(string name, Action<Exception> onFailure)
    {
        _name = name;
        _onFailure = onFailure;
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) throw Sys.Fail("epoll_create1");
        _epoll = new SafeFd(fd);
        Add(_stop, () => { }, drain: true);
    }

    /// <summary>Calls <paramref name="handler"/> on this thread whenever <paramref name="fd"/> is signalled (it is drained first).</summary>
    public void Watch(EventFd fd, Action handler) => Add(fd, handler, drain: true);

    private void Add(EventFd fd, Action handler, bool drain)
    {
        if (_thread is not null) throw new InvalidOperationException("watch before Start");
        _watches.Add((fd, handler, drain));
        var ev = new epoll_event { events = EPOLLIN };
        ev.data.u64 = (ulong)(_watches.Count - 1);
        if (epoll_ctl(_epoll.Fd, EPOLL_CTL_ADD, fd.Fd, &ev) != 0) throw Sys.Fail("epoll_ctl");
    }

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"virtio-{_name}" };
        _thread.Start();
    }

    private void Loop()
    {
        const int Max = 16;
        epoll_event* events = stackalloc epoll_event[Max];
        try
        {
            while (!_stopping)
            {
                int n = epoll_wait(_epoll.Fd, events, Max, -1);
                if (n < 0)
                {
                    if (errno == EINTR) continue;
                    throw Sys.Fail("epoll_wait");
                }
                for (int i = 0; i < n && !_stopping; i++)
                {
                    var w = _watches[(int)events[i].data.u64];
                    if (w.Drain) w.Fd.Wait();
                    w.Handler();
                }
            }
        }
        catch (Exception e)
        {
            _stopping = true;
            _onFailure(e);
        }
    }

    /// <summary>True once the loop has ended (stopped, or a handler failed).</summary>
    public bool Stopped => _stopping;

    /// <summary>Ends the loop and waits for it (unless called from the loop itself).</summary>
    public void Stop()
    {
        _stopping = true;
        _stop.Signal();
        if (_thread is not null && _thread != Thread.CurrentThread) _thread.Join();
    }

    public void Dispose()
    {
        Stop();
        _epoll.Dispose();
        _stop.Dispose();
    }
}
