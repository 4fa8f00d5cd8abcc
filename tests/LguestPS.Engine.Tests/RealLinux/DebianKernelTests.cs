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
 * A Debian distribution kernel with a busybox initramfs, to userspace: the
 * way most users will run LguestPS. The generic kernel parses the MP table
 * (the cloud kernel wants ACPI), needs more than 64 MiB to decompress, and
 * loads the virtio drivers as modules from the initramfs, whose /init prints
 * LGUESTPS-USERSPACE-OK and one VIRTIO line per device it found.
 */
public sealed class DebianKernelTests(ITestOutputHelper log)
{
    [SkippableFact]
    public void GenericKernelBootsToUserspaceWithItsVirtioDevices()
    {
        HardwareVirt.Require();
        var fx = FixtureScript.Run("tests/fixtures/debian-kernel.sh", TimeSpan.FromMinutes(20));
        string disk = Path.GetTempFileName();
        File.WriteAllBytes(disk, new byte[8 << 20]);
        try
        {
            using var vm = EngineProcess.Start("--on-reboot=exit", $"--initrd={fx["INITRAMFS"]}", $"--block={disk}", "--rng",
                "256", fx["VMLINUZ_GENERIC"], "console=ttyS0", "panic=-1", "reboot=k");
            vm.WaitForOutput("LGUESTPS-USERSPACE-OK", timeout: TimeSpan.FromMinutes(3));
            vm.WaitForOutput("VIRTIO", count: 3, timeout: TimeSpan.FromMinutes(1));
            log.WriteLine(vm.Stdout);
            Assert.Matches(@"VIRTIO \S+ 0x0003", vm.Stdout); // console
            Assert.Matches(@"VIRTIO \S+ 0x0002", vm.Stdout); // block
            Assert.Matches(@"VIRTIO \S+ 0x0004", vm.Stdout); // rng
            vm.Signal(Tmds.Linux.LibC.SIGTERM);              // a kernel without ACPI cannot power the machine off
            vm.WaitForExit();
        }
        finally { File.Delete(disk); }
    }
}
