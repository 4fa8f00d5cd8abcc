using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * The seed's device model, end to end: the test guest's own virtio-pci
 * driver (tests/guest/README.md, "Virtio tests") finds our devices, drives
 * them with interrupts, and the host checks what it can see from outside:
 * the console's bytes on stdout, the disk files after the VM is gone, the
 * engine's complaints on stderr.
 */
public sealed class VirtioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-virtio").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Disk(string name, int seed, int bytes = 64 * 1024)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        string p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, data);
        return p;
    }

    private static EngineProcess Run(params string[] args) => EngineProcess.Start(["--on-reboot=exit", .. args]);

    [SkippableFact]
    public void EveryDeviceOnTheCommandLineIsFoundInOrder()
    {
        KvmHost.Require();
        using var vm = Run("--log-format=json", $"--block={Disk("a.img", 1)}", $"--block={Disk("b.img", 2)},ro", "--rng",
            "64", TestGuest.BzImage, "tests=virtio-scan", "guest.virtio=console,block,block,rng");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-scan");
        var ready = vm.Events.First(e => e.GetProperty("event").GetString() == "ready");
        Assert.Equal(["serial", "console", "block", "block", "rng", "pvpanic"],
            ready.GetProperty("devices").EnumerateArray().Select(d => d.GetString()!).ToArray());
    }

    [SkippableFact]
    public void TheConsoleCarriesTextBothWays()
    {
        KvmHost.Require();
        using var vm = Run("64", TestGuest.BzImage, "tests=virtio-console");
        vm.WaitForOutput("READY virtio-console");
        vm.WriteStdin("typed into hvc0\n");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("HVC hello from the test guest", vm.Stdout);    // transmitq -> stdout
        Assert.Contains("HVC emerg!", vm.Stdout);                      // the emergency-write register
        Assert.Contains("HVC ECHO typed into hvc0", vm.Stdout);        // stdin -> receiveq -> back out
        TestGuest.AssertPassed(vm.Stdout, "virtio-console");
    }

    /// <summary>The guest's write pattern for disk n (README: word i = (seed + n) * 0x9E3779B97F4A7C15 + i).</summary>
    private static byte[] Pattern(ulong seed, int n)
    {
        var p = new byte[4096];
        for (int i = 0; i < 512; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(i * 8), unchecked((seed + (ulong)n) * 0x9E3779B97F4A7C15 + (ulong)i));
        return p;
    }

    [SkippableFact]
    public void WritesReachTheFileAndAReadOnlyDiskStaysAsItWas()
    {
        KvmHost.Require();
        string rw = Disk("rw.img", 11), ro = Disk("ro.img", 12);
        byte[] rwBefore = File.ReadAllBytes(rw), roBefore = File.ReadAllBytes(ro);
        using var vm = Run($"--block={rw}", $"--block={ro},ro", "64", TestGuest.BzImage, "tests=virtio-blk", "guest.blkseed=5");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-blk");
        // What the guest read is what the files held.
        Assert.Contains($"BLK0 sum64 {Sum64.Hex(rwBefore.AsSpan(0, 4096))}", vm.Stdout);
        Assert.Contains($"BLK1 sum64 {Sum64.Hex(roBefore.AsSpan(0, 4096))}", vm.Stdout);
        Assert.Matches(new Regex(@"BLK0 id lguest-[0-9a-f]{13}"), vm.Stdout);
        // What it wrote is in the file, and nothing else changed; the read-only disk is untouched.
        byte[] rwAfter = File.ReadAllBytes(rw);
        Assert.Equal(rwBefore.Length, rwAfter.Length);
        Assert.Equal(Pattern(5, 0), rwAfter[4096..8192]);
        Assert.Equal(rwBefore[..4096], rwAfter[..4096]);
        Assert.Equal(rwBefore[8192..], rwAfter[8192..]);
        Assert.Equal(roBefore, File.ReadAllBytes(ro));
    }

    [SkippableFact]
    public void TheRngDeliversEntropyWithInterruptsAndMsiXMasking()
    {
        KvmHost.Require();
        using var vm = Run("--rng", "64", TestGuest.BzImage, "tests=virtio-rng");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-rng");
    }

    [SkippableTheory]
    [InlineData("--rng", "next,loop")]
    [InlineData("--rng", "all")]
    [InlineData("--block", "all")]
    public void AMisbehavingDriverBreaksOnlyItsDevice(string device, string cases)
    {
        KvmHost.Require();
        string dev = device == "--block" ? $"--block={Disk("bad.img", 3)}" : device;
        using var vm = Run(dev, "64", TestGuest.BzImage, "tests=virtio-bad,virtio-scan", $"guest.badcases={cases}");
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-bad", "virtio-scan");  // the VM ran on after every broken rule
        Assert.Contains("the driver broke the virtio rules", vm.Stderr);
        Assert.Contains("needs a reset", vm.Stderr);
    }

    [SkippableFact]
    public void TwoDisksAndTheRngWorkTogether()
    {
        KvmHost.Require();
        using var vm = Run($"--block={Disk("a.img", 21)}", $"--block={Disk("b.img", 22)}", "--rng", "64", TestGuest.Elf);
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-scan", "virtio-blk", "virtio-rng");  // the default run, ELF this time
    }
}

/// <summary>The ways out that are not a clean reboot each have their own code and one line naming what happened.</summary>
public class CrashExitTests
{
    [SkippableFact]
    public void ATripleFaultIsExit4UnderExitOnReboot()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "--log-format=json", "64", TestGuest.BzImage, "tests=crash-triple");
        Assert.Equal(4, vm.WaitForExit());
        Assert.Contains("CRASH triple", vm.Stdout);
        Assert.Equal("triple-fault", vm.ExitEvent.GetProperty("reason").GetString());
        Assert.Contains("triple-faulted", vm.ExitEvent.GetProperty("message").GetString());
    }

    [SkippableFact]
    public void AnInstructionKvmCannotRunIsExit5WithItsAddress()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "64", TestGuest.BzImage, "tests=crash-mmio-exec");
        Assert.Equal(5, vm.WaitForExit());
        Assert.Contains("KVM cannot emulate the guest instruction at RIP 0xfd000000", vm.Stderr);
        Assert.Single(vm.Stderr.Trim().Split('\n'));                  // one line, no stack trace
    }

    [SkippableFact]
    public void ATripleFaultRestartsTheGuestByDefault()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=crash-triple");
        vm.WaitForOutput("CRASH triple", count: 2);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
        Assert.Contains(vm.Events, e => e.GetProperty("event").GetString() == "reboot" &&
                                        e.GetProperty("reason").GetString() == "triple-fault");
    }
}
