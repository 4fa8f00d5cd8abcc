using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/// <summary>Hardware virtualization, or the reason there is none here.</summary>
public static class HardwareVirt
{
    public static bool Available =>
        Directory.Exists("/sys/module/kvm_intel") || Directory.Exists("/sys/module/kvm_amd");

    /// <summary>Skips (loudly) where Debian's distribution kernels cannot boot.</summary>
    public static void Require()
    {
        KvmHost.Require();
        Skip.IfNot(Available, Directory.Exists("/sys/module/kvm_pvm")
            ? "SKIPPED: this host's KVM is PVM (software-only, no VMX/SVM): a distribution kernel cannot boot under its " +
              "instruction emulator (XZ decompression alone outlasts any timeout, and cmpxchg16b is not emulated). " +
              "The minimal-kernel tests cover real Linux here; these run on hosts with kvm_intel or kvm_amd."
            : "SKIPPED: no hardware virtualization (kvm_intel/kvm_amd not loaded): distribution kernels are not tried");
    }
}

/*
 * Debian's distribution kernels with a busybox initramfs, to userspace: the
 * way most users will run LguestPS. Both need more than 64 MiB to decompress
 * and load the virtio drivers as modules from the initramfs, whose /init
 * prints LGUESTPS-USERSPACE-OK, the CPUs online, one VIRTIO line per device it
 * found, then powers off. The generic kernel boots with acpi=off: the MP table
 * alone describes its CPUs and interrupts (and with no ACPI it cannot power
 * off). The cloud kernel has no MP-table parser: ACPI (MADT for the CPUs and
 * the IOAPIC, the FADT's sleep register for the poweroff) is all it has.
 */
public sealed class DebianKernelTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _disk = Path.GetTempFileName();

    public void Dispose() => File.Delete(_disk);

    private EngineProcess Boot(string kernel, string cpus, params string[] cmdline)
    {
        HardwareVirt.Require();
        var fx = FixtureScript.Run("tests/fixtures/debian-kernel.sh", TimeSpan.FromMinutes(20));
        File.WriteAllBytes(_disk, new byte[8 << 20]);
        var vm = EngineProcess.Start(["--log-format=json", "--on-reboot=exit", $"--cpus={cpus}", $"--initrd={fx["INITRAMFS"]}",
            $"--block={_disk}", "--rng", "256", fx[kernel], "console=ttyS0", "panic=-1", "reboot=k", .. cmdline]);
        vm.WaitForOutput("LGUESTPS-USERSPACE-OK", timeout: TimeSpan.FromMinutes(3));
        vm.WaitForOutput("LGUESTPS-POWEROFF", timeout: TimeSpan.FromMinutes(1));
        log.WriteLine(vm.Stdout);
        Assert.Contains($"LGUESTPS-CPUS {cpus}", vm.Stdout);
        Assert.Matches(@"VIRTIO \S+ 0x0003 virtio_console", vm.Stdout);
        Assert.Matches(@"VIRTIO \S+ 0x0002 virtio_blk", vm.Stdout);
        Assert.Matches(@"VIRTIO \S+ 0x0004 virtio_rng", vm.Stdout);
        return vm;
    }

    [SkippableFact]
    public void GenericKernelBootsToUserspaceThroughTheMpTable()
    {
        using var vm = Boot("VMLINUZ_GENERIC", "2", "acpi=off");
        vm.Signal(Tmds.Linux.LibC.SIGTERM);              // without ACPI the kernel cannot power the machine off
        Assert.Equal(128 + Tmds.Linux.LibC.SIGTERM, vm.WaitForExit());
    }

    [SkippableFact]
    public void CloudKernelBootsToUserspaceThroughAcpiAndPowersOff()
    {
        using var vm = Boot("VMLINUZ_CLOUD", "2");
        Assert.Equal(0, vm.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(ExitReason.PowerOff.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.DoesNotContain("ACPI Error", vm.Stdout);
        Assert.DoesNotContain("ACPI BIOS Error", vm.Stdout);
    }
}
