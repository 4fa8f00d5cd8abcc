
using Tmds.Linux;

namespace LguestPS.Engine.Interop;

/// <summary>An eventfd: the doorbell between KVM and our device threads (ioeventfd in, irqfd out).</summary>
public sealed class EventFd : IDisposable
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

    /// <summary>Adds one to the counter, waking a reader. A saturated counter (EAGAIN) already has a wake-up pending.</summary>
    // SAFETY: write(2) reads the 8 bytes of a local, which lives for the call.
    public unsafe void Signal()
    {
        ulong one = 1;
        long n;
        do n = LibC.write(_fd.Fd, &one, 8); while (n < 0 && LibC.errno == LibC.EINTR);
        if (n < 0 && LibC.errno != LibC.EAGAIN) throw Sys.Fail("eventfd write");
    }

    /// <summary>Blocks (unless non-blocking) until signalled; returns the count, or 0 if nothing was pending.</summary>
    // SAFETY: read(2) writes at most the 8 bytes of a local, which lives for the call.
    public unsafe ulong Wait()
    {
        ulong v;
        long n;
        do n = LibC.read(_fd.Fd, &v, 8); while (n < 0 && LibC.errno == LibC.EINTR);
        if (n < 0 && LibC.errno != LibC.EAGAIN) throw Sys.Fail("eventfd read");
        return n == 8 ? v : 0;
    }

    public void Dispose() => _fd.Dispose();
}
