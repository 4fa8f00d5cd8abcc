using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * --cpus=N with a real SMP Linux: the kernel must find every CPU (in the
 * MADT when the engine gives it ACPI tables, in the MP table otherwise or
 * with acpi=off) and bring each one online through INIT/SIPI. Each case is
 * a boot of its own (the CPU count is fixed at power-on).
 */
public sealed class SmpLinuxTests(BusyboxFixture fx, ITestOutputHelper log) : IClassFixture<BusyboxFixture>
{
    /// <summary>How long after "Booting SMP configuration" the APs may take before the hang counts as the known bug.</summary>
    private static readonly TimeSpan ApBringUp = TimeSpan.FromSeconds(90);

    /*
     * Known engine bug (issue 11 item 6, lifecycle helper): on PVM the SMP
     * kernel stops after "x86: Booting SMP configuration:" with every vCPU
     * thread spinning. That exact symptom skips the test with this reason;
     * anything else still fails it. When the engine is fixed the test runs.
     */
    private static void SkipOnKnownApHang(EngineProcess vm)
    {
        vm.WaitForOutput("x86: Booting SMP configuration:", timeout: BusyboxGuest.BootTimeout);
        try
        {
            vm.WaitForOutput("smp: Brought up", timeout: ApBringUp);
        }
        catch (Xunit.Sdk.XunitException) when (!vm.Stdout.Contains("smp: Brought up"))
        {
            throw new SkipException(
                "SKIPPED (known engine bug, issue 11 item 6, lifecycle helper's fix pending): the SMP kernel stopped after " +
                $"'x86: Booting SMP configuration:' and brought no CPU up in {ApBringUp.TotalSeconds:F0} s.\n{vm.Stdout}");
        }
    }

    [SkippableTheory]
    [InlineData(2, "")]         // the MADT once the engine builds ACPI tables, the MP table until then
    [InlineData(4, "acpi=off")] // the MP table, always
    public void EveryCpuComesOnline(int cpus, string kernelArg)
    {
        KvmHost.Require();
        using var guest = new BusyboxGuest(fx.Kernel.Vmlinux, fx.Initramfs, ["--verbose", $"--cpus={cpus}"],
            kernelArg.Length > 0 ? [kernelArg] : [], SkipOnKnownApHang);
        log.WriteLine($"{guest.CommandLine}\npower-on to the shell: {guest.BootTime.TotalSeconds:F1} s");
        string console = guest.Engine.Stdout;
        Assert.Contains($"smp: Brought up 1 node, {cpus} CPUs", console);
        if (kernelArg == "acpi=off") Assert.Contains("MPTABLE: ", console); // the CPUs came from the MP table
        var (output, code) = guest.Run("grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online");
        Assert.Equal(0, code);
        Assert.Equal($"{cpus}\n0-{cpus - 1}\n", output);
    }
}
