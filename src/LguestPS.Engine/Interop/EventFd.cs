
using Tmds.Linux;

namespace LguestPS.Engine.Interop;

/// <summary>An eventfd: the doorbell between KVM and our device threads (ioeventfd in, irqfd out).</summary>
public sealed unsafe class EventFd : IDisposable
{
    private readonly SafeFd _fd;

    public EventFd(bool nonBlocking = false)
    {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | (nonBlocking ? LibC.EFD_NONBLOCK : 0));
        if (fd < 0) throw Sys.Fail("eventfd");
        _fd = new SafeFd(fd);
    }

    public int Fd => _fd.Fd;
    public SafeFd Handle => _fd;

    public void Signal()
    {
        ulong one = 1;
        long n;
        do n = LibC.write(_fd.Fd, &one, 8); while (n < 0 && LibC.errno == LibC.EINTR);
        // EAGAIN means the counter is saturated: the reader has a wake-up pending anyway.
    }

    /// <summary>Blocks (unless non-blocking) until signalled; returns the count, or 0 if nothing was pending.</summary>
    public ulong Wait()
    {
        ulong v;
        long n;
        do n = LibC.read(_fd.Fd, &v, 8); while (n < 0 && LibC.errno == LibC.EINTR);
        return n == 8 ? v : 0;
    }

    public void Dispose() => _fd.Dispose();
}
