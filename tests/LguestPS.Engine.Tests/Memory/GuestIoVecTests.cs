using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Memory;

/// <summary>readv/writev between a descriptor and guest RAM: every piece through the gate, the spill area after the pieces.</summary>
public unsafe class GuestIoVecTests : IDisposable
{
    private readonly GuestMemory _mem = new(1 << 20);
    private readonly SafeFd _r, _w;

    public GuestIoVecTests()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Sys.Fail("pipe2");
        _r = new SafeFd(fds[0]);
        _w = new SafeFd(fds[1]);
    }

    public void Dispose()
    {
        _r.Dispose();
        _w.Dispose();
        _mem.Dispose();
    }

    [Fact]
    public void WriteVSendsThePiecesInOrderAndReadVFillsThemThenTheSpill()
    {
        _mem.Write(0x1000, "hello, "u8);
        _mem.Write(0x5000, "guest"u8);
        var iov = new GuestIoVec(_mem, 4);
        Assert.True(iov.TryAdd(0x1000, 7));
        Assert.True(iov.TryAdd(0x2000, 0));                   // empty pieces are skipped
        Assert.True(iov.TryAdd(0x5000, 5));
        Assert.Equal(2, iov.Count);
        Assert.Equal(12, iov.Bytes);
        Assert.Equal(12, iov.WriteV(_w));

        iov.Clear();
        iov.TryAdd(0x8000, 3);
        iov.TryAdd(0x9000, 2);
        var spill = new byte[16];
        Assert.Equal(12, iov.ReadV(_r, spill));
        Assert.Equal("hel"u8.ToArray(), _mem.Slice(0x8000, 3).ToArray());
        Assert.Equal("lo"u8.ToArray(), _mem.Slice(0x9000, 2).ToArray());
        Assert.Equal(", guest"u8.ToArray(), spill[..7]);
        Assert.Equal(-EAGAIN, iov.ReadV(_r, spill));           // nothing waiting: -errno, no exception
    }

    [Fact]
    public void PiecesOutsideRamAreRefusedAndAFullListSaysSo()
    {
        var iov = new GuestIoVec(_mem, 2);
        Assert.Throws<GuestMemoryException>(() => iov.TryAdd((1 << 20) - 4, 8));
        Assert.Throws<GuestMemoryException>(() => iov.TryAdd(ulong.MaxValue - 2, 8));
        Assert.Equal(0, iov.Count);
        Assert.True(iov.TryAdd(0, 1));
        Assert.True(iov.TryAdd(1, 1));
        Assert.Equal(0, iov.Free);
        Assert.False(iov.TryAdd(2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestIoVec(_mem, Uio.IOV_MAX));
    }
}
