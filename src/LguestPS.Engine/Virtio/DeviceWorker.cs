using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Virtio;

/*L:480
 * Each active device gets one thread, sleeping in epoll on its queues'
 * doorbells (the eventfds KVM signals when the guest writes a queue's notify
 * address: no exit to us) and on whatever else the device waits for (its
 * input source). The seed had a thread per queue; one per device keeps a
 * device's queues from racing each other and costs no more.
 *
 * Two kinds of watch. An eventfd is a doorbell: it is drained before its
 * handler runs, so one ring of the bell is one call. Any other descriptor (a
 * tap, a socket) is watched level-triggered and left alone: while data waits
 * there, epoll keeps calling the handler, so a handler may do a bounded
 * amount of work and return, and the rest waits its turn behind the other
 * watches. Such a watch can be paused while the device has nowhere to put
 * input (the guest posted no buffers): the data then waits in the kernel,
 * which is backpressure, not loss.
 *
 * Stop() wakes it through its own eventfd and waits for it, so a device reset
 * never overlaps a request in flight.
 */
public sealed class DeviceWorker : IDisposable
{
    private readonly string _name;
    private readonly SafeFd _epoll;
    private readonly EventFd _stop = new();
    private readonly List<FdWatch> _watches = new();
    private readonly Action<Exception> _onFailure;
    private Thread? _thread;
    private volatile bool _stopping;
    private long _wakeups;

    /// <summary>How many times the loop has woken (epoll_wait returned events): an idle device's stays put.</summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    public DeviceWorker(string name, Action<Exception> onFailure)
    {
        _name = name;
        _onFailure = onFailure;
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) throw Sys.Fail("epoll_create1");
        _epoll = new SafeFd(fd);
        Add(_stop.Handle, _stop, () => { });
    }

    /// <summary>Calls <paramref name="handler"/> on this thread whenever <paramref name="fd"/> is signalled (it is drained first).</summary>
    public void Watch(EventFd fd, Action handler) => Add(fd.Handle, fd, handler);

    /// <summary>
    /// Calls <paramref name="handler"/> on this thread while <paramref name="fd"/> is readable (level-triggered
    /// EPOLLIN, also on error or hang-up; nothing is read for you). The descriptor must outlive the worker.
    /// </summary>
    public FdWatch Watch(SafeFd fd, Action handler) => Add(fd, null, handler);

    private FdWatch Add(SafeFd fd, EventFd? drain, Action handler)
    {
        if (_thread is not null) throw new InvalidOperationException("watch before Start");
        var w = new FdWatch(_epoll, _watches.Count, fd, drain, handler);
        _watches.Add(w);
        w.Resume();
        return w;
    }

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"virtio-{_name}" };
        _thread.Start();
    }

    // SAFETY: epoll_wait(2) writes at most Max events into the Max-entry stack array, and we read only
    // the n it reports.
    private unsafe void Loop()
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
                Interlocked.Increment(ref _wakeups);
                for (int i = 0; i < n && !_stopping; i++)
                {
                    var w = _watches[(int)events[i].data.u64];
                    if (w.Paused) continue; // paused by an earlier handler in this same batch
                    w.Drain?.Wait();
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
