using System.Diagnostics;

namespace LguestPS.Engine.Tests.RealLinux;

/// <summary>
/// The busybox initramfs of tests/fixtures/busybox and the minimal kernel it boots on, built once
/// per test run (cached across runs by the fixture scripts).
/// </summary>
public sealed class BusyboxFixture
{
    public MinimalKernelFixture Kernel { get; } = new();
    public string Initramfs { get; } =
        FixtureScript.Run("tests/fixtures/busybox/initramfs.sh", TimeSpan.FromMinutes(5))["INITRAMFS_BUSYBOX"];
}
