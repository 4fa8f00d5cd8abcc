using System.Diagnostics;
using System.Text.Json;
using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * Linux's own ACPI, SMP and pvpanic code against the engine's tables and
 * devices: the minimal kernel (built with ACPI, the MP table parser, SMP and
 * pvpanic-pci) boots with no ACPI complaint and finds every device; every
 * vCPU comes online through the MADT and, with acpi=off, through the MP
 * table; `poweroff` ends the engine cleanly through the FADT's sleep
 * register; and the panic of a kernel with no root and no panic= is reported
 * by pvpanic the moment it happens, where without it the guest would sit
 * there for ever.
 */
public sealed class LifecycleLinuxTests(MinimalKernelFixture kernel, ITestOutputHelper log) : IClassFixture<MinimalKernelFixture>
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    private EngineProcess Boot(params string[] args)
    {
        kernel.Require("CONFIG_ACPI", "CONFIG_SMP", "CONFIG_X86_MPPARSE", "CONFIG_PVPANIC_PCI");
        log.WriteLine($"lguest {string.Join(' ', args)}");
        return EngineProcess.Start(args);
    }

    private static JsonElement EventNamed(EngineProcess vm, string name) =>
        vm.Events.First(e => e.GetProperty(Events.EventField).GetString() == name);

    private void AssertPanickedWithoutRoot(EngineProcess vm, Stopwatch sw)
    {
        int code = vm.WaitForExit(BootTimeout);
        log.WriteLine($"boot to the reported panic: {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(code == ExitReason.Panic.Code, $"exit {code}\n{vm.Stderr}\n{vm.Stdout}");
        Assert.Equal(ExitReason.Panic.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        var panic = EventNamed(vm, Events.Panic.Name);
        Assert.Contains("Kernel panic - not syncing: VFS: Unable to mount root fs", panic.GetProperty(Events.Panic.Line).GetString());
        Assert.False(panic.GetProperty(Events.Panic.CrashKernel).GetBoolean());
        Assert.Contains("Kernel panic - not syncing: VFS: Unable to mount root fs", vm.Stdout); // and the user saw it
    }

    [SkippableFact]
    public void WithAcpiLinuxFindsEveryDeviceAndANoRootPanicIsReportedAtOnce()
    {
        KvmHost.Require();
        var sw = Stopwatch.StartNew();
        // No panic=: without pvpanic this kernel would hang after its panic, and this test with it.
        using var vm = Boot("--log-format=json", "--rng", "--cpus=2", "128", kernel.Vmlinux, "console=ttyS0", "rodata=off");
        AssertPanickedWithoutRoot(vm, sw);
        string console = vm.Stdout;
        Assert.DoesNotMatch(@"ACPI (BIOS )?(Error|Warning)|ACPI: .*(failed|Invalid)", console);
        Assert.Contains("ACPI: RSDP 0x00000000000E0000 000024 (v02 LGUEST)", console);
        foreach (var table in new[] { "XSDT", "FACP", "DSDT", "APIC" })
            Assert.Matches($@"ACPI: {table} 0x00000000000E[0-9A-F]{{4}} ", console);
        Assert.Contains("ACPI: Using ACPI (MADT) for SMP configuration information", console);
        Assert.Contains("ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00])", console);
        Assert.Contains("ACPI: button: Power Button [PWRB]", console);
        Assert.Contains("smp: Brought up 1 node, 2 CPUs", console);
        // COM1 from the DSDT. Its Linux IRQ number is not 4: the MADT declares no 8259s (no PCAT_COMPAT), so Linux
        // numbers GSIs dynamically (irq = 25 under nested KVM); the pin is still GSI 4.
        Assert.Matches(@"ttyS0 at I/O 0x3f8 \(irq = \d+", console);
    }

    [SkippableTheory]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(2, true)]
    [InlineData(4, true)]
    public void EveryCpuComesOnlineThroughTheMadtAndThroughTheMpTable(int cpus, bool acpiOff)
    {
        KvmHost.Require();
        var sw = Stopwatch.StartNew();
        using var vm = Boot(["--log-format=json", $"--cpus={cpus}", "128", kernel.Vmlinux, "console=ttyS0", "rodata=off",
            .. acpiOff ? new[] { "acpi=off" } : []]);
        AssertPanickedWithoutRoot(vm, sw);
        string console = vm.Stdout;
        Assert.Contains(acpiOff ? "Intel MultiProcessor Specification v1.4" : "ACPI: Using ACPI (MADT) for SMP configuration information", console);
        Assert.Contains($"smp: Brought up 1 node, {cpus} CPUs", console);
        log.WriteLine(console.Split('\n').FirstOrDefault(l => l.Contains("smp: Brought up")) ?? "");
    }

    [SkippableFact]
    public void PoweroffEndsTheEngineCleanlyThroughTheSleepRegister()
    {
        KvmHost.Require();
        kernel.Require("CONFIG_ACPI");
        string initrd = FixtureScript.Run("tests/fixtures/minimal-kernel/initramfs.sh", TimeSpan.FromMinutes(10))["INITRAMFS_MINIMAL"];
        var sw = Stopwatch.StartNew();
        // No --on-reboot=exit: a reboot would restart the guest, so only a real power-off ends this run.
        using var vm = Boot("--log-format=json", $"--initrd={initrd}", "128", kernel.Vmlinux, "console=ttyS0", "rodata=off", "poweroff");
        int code = vm.WaitForExit(BootTimeout);
        log.WriteLine($"boot to power-off: {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(code == 0, $"exit {code}\n{vm.Stderr}\n{vm.Stdout}");
        Assert.Contains("LGUESTPS-POWEROFF", vm.Stdout);
        Assert.Contains("reboot: Power down", vm.Stdout);
        Assert.Equal(ExitReason.PowerOff.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.DoesNotContain(vm.Events, e => e.GetProperty(Events.EventField).GetString() == Events.Reboot.Name);
    }
}
