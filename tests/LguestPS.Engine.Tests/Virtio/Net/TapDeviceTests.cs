using System.Runtime.InteropServices;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Net;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Virtio.Net;

/// <summary>The tap itself, in a namespace of the test's own: creation, configuration, every error, and that it never outlives us.</summary>
public unsafe class TapDeviceTests : IDisposable
{
    private readonly NetNamespace _ns = NetTestEnv.Namespace();
    public void Dispose() => _ns.Dispose();

    private static Ipv4Net Ip(string s) => Ipv4Net.Parse(s, "test");

    private string[] Taps() => _ns.Links().Where(l => l.StartsWith("lguest", StringComparison.Ordinal)).ToArray();

    [SkippableFact]
    public void AnAddressedTapIsUpWithItsAddress()
    {
        using var tap = _ns.Run(() => TapDevice.Create(Ip("169.254.77.1"), null, "t"));
        Assert.Matches("^lguest[0-9]+$", tap.Name);
        string link = _ns.Sh($"ip -o link show {tap.Name}");
        Assert.Contains("UP", link.Split('<', '>')[1].Split(','));
        Assert.Contains("inet 169.254.77.1/24", _ns.Sh($"ip -o -4 addr show {tap.Name}"));
        var tap2 = _ns.Run(() => TapDevice.Create(Ip("169.254.78.1/24"), null, "t"));
        using (tap2)
        {
            Assert.NotEqual(tap.Name, tap2.Name);
            Assert.Contains("inet 169.254.78.1/24", _ns.Sh($"ip -o -4 addr show {tap2.Name}"));
        }
    }

    /// <summary>Two VMs in different link-local subnets: each subnet is routed to its own tap, so both guests can be reached.</summary>
    [SkippableFact]
    public void TwoTapsInDifferentLinkLocalSubnetsEachGetTheirOwnRoute()
    {
        using var first = _ns.Run(() => TapDevice.Create(Ip("169.254.1.1"), null, "t"));
        using var second = _ns.Run(() => TapDevice.Create(Ip("169.254.2.1"), null, "t"));
        Assert.Contains($"dev {first.Name} ", _ns.Sh("ip -o route get 169.254.1.2"));
        Assert.Contains($"dev {second.Name} ", _ns.Sh("ip -o route get 169.254.2.2"));
    }

    [SkippableFact]
    public void TheTapSpeaksVirtioNetHeadersAndIsNotPersistent()
    {
        using var tap = _ns.Run(() => TapDevice.Create(Ip("169.254.77.1"), null, "t"));
        var ifr = new ifreq();
        Sys.Ioctl(tap.Fd, Tun.TUNGETIFF, &ifr, "TUNGETIFF");
        Assert.Equal(tap.Name, ifr.Name);
        Assert.Equal(Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR, ifr.ifr_flags & (Tun.IFF_TAP | Tun.IFF_TUN | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR));
        Assert.Equal(0, ifr.ifr_flags & Tun.IFF_PERSIST);
        int hdr = 0;
        Sys.Ioctl(tap.Fd, Tun.TUNGETVNETHDRSZ, &hdr, "TUNGETVNETHDRSZ");
        Assert.Equal(12, hdr);
        Assert.NotEqual(0, fcntl(tap.Fd.Fd, F_GETFD) & FD_CLOEXEC);        // no child keeps it alive
        Assert.NotEqual(0, fcntl(tap.Fd.Fd, F_GETFL) & O_NONBLOCK);
        tap.Dispose();
        Assert.Empty(Taps());                                               // gone with its descriptor
    }

    [SkippableFact]
    public void ABridgedTapJoinsTheBridge()
    {
        _ns.Sh("ip link add lgbr0 type bridge && ip link set lgbr0 up");
        using var tap = _ns.Run(() => TapDevice.Create(null, "lgbr0", "t"));
        string link = _ns.Sh($"ip -o link show {tap.Name}");
        Assert.Contains("master lgbr0", link);
        Assert.Contains("UP", link.Split('<', '>')[1].Split(','));
        Assert.Empty(_ns.Sh($"ip -o -4 addr show {tap.Name}").Trim());
    }

    [SkippableFact]
    public void AMissingBridgeSaysHowToCreateItAndLeavesNoTap()
    {
        var e = Assert.Throws<EngineException>(() => _ns.Run(() => TapDevice.Create(null, "nosuchbr", "--tunnet=bridge:nosuchbr")));
        Assert.Equal(ErrorId.DeviceInvalid, e.Id);
        Assert.Equal("--tunnet=bridge:nosuchbr: no bridge named nosuchbr: create it with `ip link add nosuchbr type bridge`", e.Message);
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void SomethingThatIsNotABridgeIsRefused()
    {
        var e = Assert.Throws<EngineException>(() => _ns.Run(() => TapDevice.Create(null, "lo", "--tunnet=bridge:lo")));
        Assert.Equal(ErrorId.DeviceInvalid, e.Id);
        Assert.Contains("lo is not a bridge", e.Message);
        Assert.Empty(Taps());
    }

    [SkippableTheory]
    [InlineData("averyveryverylongbridgename")]
    [InlineData("br/0")]
    [InlineData("br 0")]
    public void ImpossibleBridgeNamesAreInvalidArguments(string name)
    {
        var e = Assert.Throws<EngineException>(() => _ns.Run(() => TapDevice.Create(null, name, "t")));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void AMissingTunDeviceSaysToLoadTheModule()
    {
        var e = Assert.Throws<EngineException>(() => _ns.Run(() => TapDevice.Create(Ip("169.254.77.1"), null, "--tunnet=169.254.77.1", "/dev/net/no-such-tun")));
        Assert.Equal(ErrorId.DeviceInvalid, e.Id);
        Assert.Contains("modprobe tun", e.Message);
    }

    [SkippableFact]
    public void WithoutRootTheTunDeviceCannotBeOpened()
    {
        // setresuid(2) as a raw syscall changes only the calling thread, and this one ends with the test.
        var e = Assert.Throws<EngineException>(() => _ns.Run(() =>
        {
            if ((long)syscall(117 /* SYS_setresuid */, 65534, 65534, 65534) != 0) throw Sys.Fail("setresuid");
            return TapDevice.Create(Ip("169.254.77.1"), null, "--tunnet=169.254.77.1");
        }));
        Assert.Equal(ErrorId.PermissionDenied, e.Id);
        Assert.Contains("run as root or give lguest CAP_NET_ADMIN", e.Message);
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void WithoutCapNetAdminNoTapIsCreated()
    {
        var e = Assert.Throws<EngineException>(() => _ns.Run(() =>
        {
            DropCapability(12 /* CAP_NET_ADMIN */);
            return TapDevice.Create(Ip("169.254.77.1"), null, "--tunnet=169.254.77.1");
        }));
        Assert.Equal(ErrorId.PermissionDenied, e.Id);
        Assert.Equal("--tunnet=169.254.77.1: no permission to create a tap device: run as root or give lguest CAP_NET_ADMIN", e.Message);
        Assert.Empty(Taps());
    }

    // capset(2) as a raw syscall: this thread only.
    private static void DropCapability(int cap)
    {
        uint* header = stackalloc uint[2] { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 };
        uint* data = stackalloc uint[6]; // two of {effective, permitted, inheritable}
        if ((long)syscall(125 /* SYS_capget */, (Tmds.Linux.syscall_arg)(void*)header, (Tmds.Linux.syscall_arg)(void*)data) != 0) throw Sys.Fail("capget");
        data[0] &= ~(1u << cap);
        data[1] &= ~(1u << cap);
        if ((long)syscall(126 /* SYS_capset */, (Tmds.Linux.syscall_arg)(void*)header, (Tmds.Linux.syscall_arg)(void*)data) != 0) throw Sys.Fail("capset");
    }

    [SkippableFact]
    public void CreateChecksEverythingBeforeMakingATap()
    {
        foreach (var (addr, br, mac) in new (string?, string?, string?)[]
                 { ("169.254.1.300", null, null), ("169.254.1.1", null, "01:00:00:00:00:01"), (null, "br0", "zz"), (null, null, null) })
        {
            var e = Assert.Throws<EngineException>(() => _ns.Run(() => NetDevice.Create(addr, br, mac)));
            Assert.Equal(ErrorId.InvalidArgument, e.Id);
            Assert.StartsWith("--tunnet=", e.Message);
        }
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void NetDeviceCreateOwnsTheTap()
    {
        var dev = _ns.Run(() => NetDevice.Create("169.254.77.1", null, "02:11:22:33:44:55"));
        Assert.Equal("02:11:22:33:44:55", dev.Mac.ToString());
        Assert.Equal([dev.TapName], Taps());
        dev.Dispose();
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void OffloadsCanStillBeSetAfterThePrivilegeDrop()
    {
        // The guest negotiates (and we call TUNSETOFFLOAD) long after --username has dropped root.
        using var tap = _ns.Run(() => TapDevice.Create(Ip("169.254.77.1"), null, "t"));
        _ns.Run(() =>
        {
            if ((long)syscall(117 /* SYS_setresuid */, 65534, 65534, 65534) != 0) throw Sys.Fail("setresuid");
            tap.SetOffload(0);
            tap.SetOffload(TapDevice.SeedOffloads);
        });
    }
}

