namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>Tests that need /dev/kvm run wherever it exists and say so loudly when they cannot.</summary>
public static class KvmHost
{
    public static void Require() =>
        Skip.IfNot(File.Exists("/dev/kvm"), "SKIPPED: /dev/kvm does not exist on this host, so no guest can run here");
}
