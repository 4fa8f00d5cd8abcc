namespace LguestPS.Engine.Tests.Virtio.Net;

public class NetNamespaceTests
{
    [SkippableFact]
    public void ANamespaceIsPrivateAndStartsWithOnlyLoopback()
    {
        using var ns = NetTestEnv.Namespace();
        Assert.Equal(["lo"], ns.Links());
        ns.Sh("ip link add lgtestbr type bridge");
        Assert.Contains("lgtestbr", ns.Links());
        Assert.DoesNotContain("lgtestbr", File.ReadAllText("/proc/net/dev")); // not in ours
    }
}
