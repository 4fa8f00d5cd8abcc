using System.Diagnostics;
using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * Real Linux drivers against our devices. A minimal kernel built from
 * Debian's linux-source-6.1 boots here even on a software-only KVM (the
 * engine adds what PVM needs to the command line itself). Without
 * userspace, every check is made kernel-side: the log arrives on hvc0 (the
 * virtio console is the only console), the partition table of a disk we
 * wrote is scanned, the rng is read, and the "no root" panic ends the run:
 * the kernel reports it through pvpanic, and the engine exits with reason
 * panic (before panic=-1 would have rebooted it).
 */
public sealed class MinimalLinuxTests(MinimalKernelFixture kernel, ITestOutputHelper log)
    : IClassFixture<MinimalKernelFixture>, IDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-linux").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A 16 MiB disk with an MBR holding one Linux partition at sector 2048.</summary>
    private string DiskWithPartition()
    {
        string path = Path.Combine(_dir, "disk.img");
        var d = new byte[16 << 20];
        d[446 + 4] = 0x83;                                                   // partition type: Linux
        BitConverter.GetBytes(2048u).CopyTo(d, 446 + 8);                     // first sector
        BitConverter.GetBytes(8192u).CopyTo(d, 446 + 12);                    // sectors
        d[510] = 0x55; d[511] = 0xAA;
        File.WriteAllBytes(path, d);
        return path;
    }

    private EngineProcess Boot(string image, params string[] kernelArgs)
    {
        string[] args = ["--verbose", "--on-reboot=exit", $"--block={DiskWithPartition()}", "--rng", "128", image,
            "rodata=off", "panic=-1", "reboot=k", .. kernelArgs];
        log.WriteLine($"kernel built/cached in {kernel.BuildTime.TotalSeconds:F0} s; booting: lguest {string.Join(' ', args)}");
        return EngineProcess.Start(args);
    }

    private void CheckKernelSide(EngineProcess vm, Stopwatch sw)
    {
        int code = vm.WaitForExit(BootTimeout);
        log.WriteLine($"boot to the panic: {sw.Elapsed.TotalSeconds:F1} s");
        string console = vm.Stdout;
        Assert.True(code == ExitReason.Panic.Code, $"exit {code}\n{vm.Stderr}\n{console}");
        Assert.Contains("virtio_blk virtio1: [vda] 32768 512-byte logical blocks", console);
        Assert.Contains("vda: vda1", console);                                // the partition scan read our MBR
        Assert.Contains("Unable to mount root fs", console);                  // no userspace: the panic that ends it
        Assert.Matches(@"rng: served [1-9]\d* bytes of entropy", vm.Stderr);  // the kernel's hwrng read the device
        Assert.Contains("the guest kernel panicked", vm.Stderr);              // reported through pvpanic
        Assert.Contains("noxsave clearcpuid=308,151", KvmHostIsPvm() ? vm.Stderr : "noxsave clearcpuid=308,151");
    }

    private static bool KvmHostIsPvm() => Directory.Exists("/sys/module/kvm_pvm");

    [SkippableFact]
    public void VmlinuxBootsWithItsLogOnTheVirtioConsole()
    {
        KvmHost.Require();
        var sw = Stopwatch.StartNew();
        using var vm = Boot(kernel.Vmlinux, "console=hvc0");
        CheckKernelSide(vm, sw);
        // hvc0 is the only console, so every line above came through the virtio console's transmit queue.
        Assert.DoesNotContain("Linux version", vm.Stdout);                    // (it joins after early boot: no replay of the start)
    }

    [SkippableFact]
    public void Lz4BzImageBootsToo()
    {
        KvmHost.Require();
        var sw = Stopwatch.StartNew();
        using var vm = Boot(kernel.BzImage, "console=ttyS0");
        CheckKernelSide(vm, sw);
        Assert.Contains("Linux version 6.1", vm.Stdout);                      // the UART has it all, from the first line
    }

    /*
     * Userspace on the same kernel: a static init of ours (no libc, raw system
     * calls; tests/fixtures/minimal-kernel/init.c) in a tiny initramfs reads
     * the disk's MBR through /dev/vda, entropy through /dev/hwrng, writes a
     * line to /dev/hvc0, and reboots. On PVM this runs thanks to the test
     * kernel's pvm-syscall.patch; elsewhere it runs as is.
     */
    [SkippableFact]
    public void AStaticInitChecksEveryDeviceFromUserspace()
    {
        KvmHost.Require();
        string initrd = FixtureScript.Run("tests/fixtures/minimal-kernel/initramfs.sh", TimeSpan.FromMinutes(10))["INITRAMFS_MINIMAL"];
        var sw = Stopwatch.StartNew();
        using var vm = EngineProcess.Start("--verbose", "--on-reboot=exit", $"--block={DiskWithPartition()}", "--rng",
            $"--initrd={initrd}", "128", kernel.Vmlinux, "console=ttyS0", "rodata=off", "panic=-1", "reboot=k");
        int code = vm.WaitForExit(BootTimeout);
        log.WriteLine($"boot to userspace and reboot: {sw.Elapsed.TotalSeconds:F1} s");
        string console = vm.Stdout;
        Assert.True(code == 0, $"exit {code}\n{vm.Stderr}\n{console}");
        Assert.Contains("LGUESTPS-INIT-OK", console);
        Assert.Contains("LGUESTPS-VDA ok", console);                         // sector 0 through virtio-blk, from userspace
        Assert.Contains("LGUESTPS-HWRNG ok", console);                       // /dev/hwrng through virtio-rng
        Assert.Contains("LGUESTPS-HVC-LINE written to /dev/hvc0 by init", console); // through the virtio console
        Assert.Contains("LGUESTPS-HVC ok", console);
        Assert.Contains("reboot: Restarting system", console);
    }
}
