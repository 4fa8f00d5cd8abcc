using System.Diagnostics;
using System.Management.Automation;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace LguestPS.Module.Tests;

/*
 * Issue 12 on a real Linux userspace: the busybox guest (BusyBoxGuest)
 * booted on KVM through the cmdlets, then driven with no agent over its
 * console: commands, a command longer than a terminal line, a timeout that
 * leaves the console usable, files both ways with their checksums, the
 * guest's free space, a disk made by New-LguestDisk, and the docs' examples
 * that boot the same guest. The figures of the issue are measured here and
 * written to the test log and to out/figures/provisioning.txt.
 */
[Collection(EngineCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ProvisioningTests : IClassFixture<BusyBoxGuest>
{
    private readonly BusyBoxGuest _guest;
    private readonly ITestOutputHelper _out;

    public ProvisioningTests(BusyBoxGuest guest, ITestOutputHelper output)
    {
        _guest = guest;
        _out = output;
    }

    /// <summary>Runs a script in the guest's session, with $vm its VM's name.</summary>
    private PsResult Run(string script, params (string, object?)[] vars) => _guest.Ps.Invoke(script, [("vm", BusyBoxGuest.Name), .. vars]);

    private LguestCommandResult Command(string command, int timeout = 300)
    {
        var r = Run("Invoke-LguestVmCommand -VMName $vm -Command $c -Timeout $t", ("c", command), ("t", timeout));
        r.AssertNoErrors();
        return r.Single<LguestCommandResult>();
    }

    private static void Figure(string line)
    {
        string dir = Path.Combine(Layout.Root, "out", "figures");
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, "provisioning.txt"), $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} {line}\n");
    }

    [SkippableFact]
    public void CommandsRunWithTheirOutputAndExitCode()
    {
        _guest.Boot();
        _out.WriteLine($"power-on to the first command's result: {_guest.FirstResult.TotalSeconds:0.00} s");
        Figure($"power-on to first command result: {_guest.FirstResult.TotalSeconds:0.00} s");

        Assert.Equal(new[] { "root", "/" }, Command("id -un; pwd").Output);
        var r = Run("Invoke-LguestVmCommand -VMName $vm 'echo to-stderr >&2; exit 7' -ErrorAction SilentlyContinue -ErrorVariable ev; $ev");
        var result = r.Objects<LguestCommandResult>().Single();
        Assert.Equal(7, result.ExitCode);
        Assert.Equal(new[] { "to-stderr" }, result.Output);
        Assert.Equal("GuestCommandFailed", r.Objects<ErrorRecord>().Single().FullyQualifiedErrorId.Split(',')[0]);

        // One command's round trip, the shell in step (no probe): the median of a few.
        var times = Enumerable.Range(0, 7).Select(_ => Command("true").Duration.TotalMilliseconds).Order().ToList();
        _out.WriteLine($"round trip of `true`: median {times[3]:0} ms (min {times[0]:0}, max {times[^1]:0})");
        Figure($"command round trip (true): median {times[3]:0} ms, min {times[0]:0} ms, max {times[^1]:0} ms");
    }

    [SkippableFact]
    public void ACommandLongerThanAConsoleLineAndAnyTextGetThrough()
    {
        _guest.Boot();
        string big = new('x', 6000);
        Assert.Equal(new[] { "6000" }, Command($"v='{big}'; echo ${{#v}}").Output);
        Assert.Equal(new[] { "\tit's \"quoted\" $HOME héllo" }, Command("cat <<'EOF'\n\tit's \"quoted\" $HOME héllo\nEOF").Output);
        var fake = Guest.ShellMarker.New();
        Assert.Equal(new[] { fake.Printed(Guest.ShellMarker.End) + "0:" }, Command($"echo '{fake.Printed(Guest.ShellMarker.End)}0:'; exit 0").Output);
    }

    [SkippableFact]
    public void ATimeoutInterruptsTheCommandAndTheConsoleStaysUsable()
    {
        _guest.Boot();
        var r = Run("Invoke-LguestVmCommand -VMName $vm 'echo started; sleep 600' -Timeout 10");
        var e = r.SingleError;
        Assert.Equal(("GuestCommandTimedOut", ErrorCategory.OperationTimeout), (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        Assert.Contains("answered again", e.Exception.Message);
        Assert.Equal(new[] { "started" }, ((LguestCommandResult)e.TargetObject).Output);
        Assert.Equal(new[] { "still here" }, Command("echo still here").Output);
        Assert.Empty(Command("pidof sleep || true").Output);
    }

    [SkippableFact]
    public void FilesGoBothWaysWithTheirChecksums()
    {
        _guest.Boot();
        string dir = Path.Combine(_guest.Ps.WorkDir, "copies");
        Directory.CreateDirectory(dir);
        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        string hash = Convert.ToHexStringLower(SHA256.HashData(data));
        File.WriteAllBytes(Path.Combine(dir, "random.bin"), data);

        var clock = Stopwatch.StartNew();
        Run("Copy-LguestVmFile -VMName $vm $d/random.bin /tmp/random.bin -Timeout 900", ("d", dir)).AssertNoErrors();
        double inSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(hash + "  /tmp/random.bin", Command("sha256sum /tmp/random.bin").Output.Single());

        clock.Restart();
        Run("Copy-LguestVmFile -VMName $vm /tmp/random.bin $d/back.bin -FromGuest -Timeout 900", ("d", dir)).AssertNoErrors();
        double outSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(dir, "back.bin")));
        Assert.DoesNotContain(Directory.GetFiles(dir), f => f.EndsWith(".tmp"));
        Assert.Empty(Command("ls -a /tmp | grep lgps- || true").Output);

        _out.WriteLine($"copy 256 KiB: to the guest {inSeconds:0.00} s ({256 / inSeconds:0} KiB/s), from it {outSeconds:0.00} s ({256 / outSeconds:0} KiB/s)");
        Figure($"copy 256 KiB to guest: {inSeconds:0.00} s = {256 / inSeconds:0} KiB/s; from guest: {outSeconds:0.00} s = {256 / outSeconds:0} KiB/s");
    }

    [SkippableFact]
    public void AFileTooLargeForTheGuestsFreeSpaceIsRefusedBeforeSending()
    {
        _guest.Boot();
        Command("mkdir -p /mnt/tiny && (mountpoint -q /mnt/tiny || mount -t tmpfs -o size=64k tiny /mnt/tiny)");
        string file = Path.Combine(_guest.Ps.WorkDir, "large.bin");
        File.WriteAllBytes(file, RandomNumberGenerator.GetBytes(512 * 1024));
        var clock = Stopwatch.StartNew();
        var e = Run("Copy-LguestVmFile -VMName $vm $f /mnt/tiny/large.bin -Timeout 300", ("f", file)).SingleError;
        Assert.Equal(("GuestDiskFull", ErrorCategory.LimitsExceeded), (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        Assert.Contains("KiB free", e.Exception.Message);
        Assert.Empty(Command("ls -A /mnt/tiny").Output);
        _out.WriteLine($"refused in {clock.Elapsed.TotalSeconds:0.00} s (nothing sent)");
    }

    [SkippableFact]
    public void TheDiskNewLguestDiskMadeIsReadInTheGuest()
    {
        _guest.Boot();
        Assert.Equal(new[] { BusyBoxGuest.DiskText }, Command("mkdir -p /mnt/data && (mountpoint -q /mnt/data || mount -o ro /dev/vda /mnt/data) && cat /mnt/data/hello.txt").Output);
        var blkid = Command("blkid /dev/vda").Output.Single();
        Assert.Contains("LABEL=\"data\"", blkid);
        Assert.Contains("TYPE=\"ext4\"", blkid);
    }

    [SkippableFact]
    public void CommandTextStaysOutOfPatternWaitsButNotOutOfTheJob()
    {
        _guest.Boot();
        Command("echo marker-$((6*7))");
        var wait = Run("Wait-LguestVm -Name $vm -Pattern 'marker-42|:LGPS-' -Timeout 2");
        Assert.Equal("WaitTimeout", wait.SingleError.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(Run("Receive-Job $j -Keep", ("j", _guest.Job)).Objects<LguestConsoleLine>(), l => l.Text == "marker-42");
    }

    public static TheoryData<string, string> BusyBoxExamples => DocExamples.Data(boots: true, busyBox: true);

    [SkippableTheory]
    [MemberData(nameof(BusyBoxExamples))]
    public void TheDocsExamplesThatBootTheBusyBoxGuestRun(string cmdlet, string title)
    {
        _guest.Boot(); // ./vmlinuz and ./busybox.cpio are in place
        DocExamples.Run(_guest.Ps, DocExamples.Code(cmdlet, title));
    }
}
