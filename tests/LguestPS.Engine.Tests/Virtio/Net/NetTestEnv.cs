namespace LguestPS.Engine.Tests.Virtio.Net;

/// <summary>What the network tests need from the host: root, to make namespaces and taps (PLATFORM.md: the test machines are root).</summary>
internal static class NetTestEnv
{
    public static NetNamespace Namespace()
    {
        Skip.If(Tmds.Linux.LibC.geteuid() != 0, "SKIPPED: network tests need root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create a network namespace and taps");
        Skip.IfNot(File.Exists("/dev/net/tun"), "SKIPPED: no /dev/net/tun on this host (modprobe tun)");
        return new NetNamespace();
    }
}
