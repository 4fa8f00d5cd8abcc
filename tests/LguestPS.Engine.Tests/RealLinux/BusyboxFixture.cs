namespace LguestPS.Engine.Tests.RealLinux;

/// <summary>
/// The busybox initramfs of tests/fixtures/busybox and the minimal kernel it boots on, built on
/// first use (a test checks for /dev/kvm first: no kernel build just to skip) and cached across
/// runs by the fixture scripts.
/// </summary>
public sealed class BusyboxFixture
{
    private readonly Lazy<MinimalKernelFixture> _kernel = new(() => new MinimalKernelFixture());
    private readonly Lazy<string> _initramfs = new(() =>
        FixtureScript.Run("tests/fixtures/busybox/initramfs.sh", TimeSpan.FromMinutes(5))["INITRAMFS_BUSYBOX"]);

    public MinimalKernelFixture Kernel => _kernel.Value;
    public string Initramfs => _initramfs.Value;
}
