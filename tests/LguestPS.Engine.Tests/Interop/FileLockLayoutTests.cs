using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>struct flock and the F_OFD_* commands against the real fcntl.h.</summary>
public class FileLockLayoutTests
{
    private static readonly Lazy<Dictionary<string, long>> Real = new(() => CHeaderProbe.Run("flocklayout", """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <stddef.h>
        #include <fcntl.h>
        #define V(n) printf("%s %lld\n", #n, (long long)(n));
        int main(void) {
          V(sizeof(struct flock)) V(offsetof(struct flock, l_type)) V(offsetof(struct flock, l_whence))
          V(offsetof(struct flock, l_start)) V(offsetof(struct flock, l_len)) V(offsetof(struct flock, l_pid))
          V(F_OFD_GETLK) V(F_OFD_SETLK) V(F_RDLCK) V(F_WRLCK) V(F_UNLCK)
          return 0;
        }
        """));

    [Fact]
    public void FlockMatchesTheHeader()
    {
        var r = Real.Value;
        Assert.Equal(r["sizeof(struct flock)"], Marshal.SizeOf<Flock>());
        Assert.Equal(r["offsetof(struct flock, l_type)"], Marshal.OffsetOf<Flock>(nameof(Flock.l_type)));
        Assert.Equal(r["offsetof(struct flock, l_whence)"], Marshal.OffsetOf<Flock>(nameof(Flock.l_whence)));
        Assert.Equal(r["offsetof(struct flock, l_start)"], Marshal.OffsetOf<Flock>(nameof(Flock.l_start)));
        Assert.Equal(r["offsetof(struct flock, l_len)"], Marshal.OffsetOf<Flock>(nameof(Flock.l_len)));
        Assert.Equal(r["offsetof(struct flock, l_pid)"], Marshal.OffsetOf<Flock>(nameof(Flock.l_pid)));
    }

    [Fact]
    public void CommandsAndLockTypesMatchTheHeader()
    {
        var r = Real.Value;
        Assert.Equal(r["F_OFD_GETLK"], FileLock.F_OFD_GETLK);
        Assert.Equal(r["F_OFD_SETLK"], FileLock.F_OFD_SETLK);
        Assert.Equal(r["F_RDLCK"], FileLock.F_RDLCK);
        Assert.Equal(r["F_WRLCK"], FileLock.F_WRLCK);
        Assert.Equal(r["F_UNLCK"], FileLock.F_UNLCK);
    }
}
