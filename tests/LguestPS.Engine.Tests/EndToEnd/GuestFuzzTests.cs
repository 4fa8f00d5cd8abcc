namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * The test guest as a fuzzer (tests/guest/cases/iofuzz.c): a million seeded
 * random port and MMIO accesses over every device range the engine emulates,
 * then, in the same boot, the normal device checks, each of which must still
 * pass; the guest's closing reset goes through the i8042, and the disk file
 * holds exactly what the block test wrote.
 */
public sealed class GuestFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-iofuzz").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(20261204)]
    public void AfterAMillionRandomAccessesEveryDeviceStillWorks(int seed)
    {
        KvmHost.Require();
        string disk = Path.Combine(_dir, "disk.img");
        using (var f = File.Create(disk)) f.SetLength(1 << 20);
        using var vm = EngineProcess.Start("--on-reboot=exit", $"--block={disk}", "--rng", "64", TestGuest.BzImage,
            "tests=iofuzz,timer,serial,virtio-scan,virtio-blk,virtio-rng,virtio-console", $"guest.fuzzseed={seed}",
            "guest.virtio=console,block,rng");
        var deadline = TimeSpan.FromMinutes(5); // bounds a failure only: a million VM exits take a while under PVM
        vm.WaitForOutput("READY serial", timeout: deadline);
        vm.WriteStdin("still typing\n");
        vm.WaitForOutput("READY virtio-console", timeout: deadline);
        vm.WriteStdin("still here\n");
        Assert.Equal(0, vm.WaitForExit(deadline));
        TestGuest.AssertPassed(vm.Stdout, "iofuzz", "timer", "serial", "virtio-scan", "virtio-blk", "virtio-rng", "virtio-console");
        Assert.Contains("1000000 accesses", vm.Stdout);
        Assert.Equal(1 << 20, new FileInfo(disk).Length);
    }
}
