namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * Disk locks other VMMs see and honour, tested against a real QEMU in both
 * orders: whoever comes second is refused whenever either side writes, and
 * two readers share. lguest's side of a refusal needs no KVM (the disk is
 * locked before a VM exists); lguest holding a disk does.
 */
public sealed class DiskLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-lock").FullName;
    private readonly string _disk;

    public DiskLockTests()
    {
        _disk = Path.Combine(_dir, "disk.img");
        using var f = File.Create(_disk);
        f.SetLength(8 << 20);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Block(string path, bool ro) => $"--block={path}" + (ro ? ",ro" : "");

    /// <summary>Runs lguest on the disk and expects a refusal: exit 1 with DiskInUse.</summary>
    private static string ExpectInUse(string disk, bool ro)
    {
        using var vm = EngineProcess.Start("--log-format=json", Block(disk, ro), "64", TestGuest.BzImage);
        Assert.Equal(1, vm.WaitForExit(TimeSpan.FromSeconds(30)));
        var error = vm.Events.Single(e => e.GetProperty("event").GetString() == "error");
        Assert.Equal("DiskInUse", error.GetProperty("id").GetString());
        return error.GetProperty("message").GetString()!;
    }

    /// <summary>lguest with the disk, kept running (tests= runs nothing, and each reboot restarts) until disposed.</summary>
    private static EngineProcess HoldInLguest(string disk, bool ro)
    {
        var vm = EngineProcess.Start("--log-format=json", Block(disk, ro), "64", TestGuest.BzImage, "tests=");
        vm.WaitForEvent("ready");
        return vm;
    }

    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void LguestIsRefusedADiskQemuHolds(bool qemuReadOnly, bool lguestReadOnly)
    {
        QemuDiskUser.Require();
        using var qemu = new QemuDiskUser(_disk, qemuReadOnly);
        Assert.True(qemu.HoldsDisk(), $"QEMU could not take a free disk:\n{qemu.Stderr}");
        string message = ExpectInUse(_disk, lguestReadOnly);
        Assert.Contains(_disk, message);
        Assert.Contains("stop it first", message);
    }

    [SkippableFact]
    public void TwoReadersShareWithQemuFirst()
    {
        QemuDiskUser.Require();
        KvmHost.Require();
        using var qemu = new QemuDiskUser(_disk, readOnly: true);
        Assert.True(qemu.HoldsDisk(), $"QEMU could not take a free disk:\n{qemu.Stderr}");
        using var vm = HoldInLguest(_disk, ro: true);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
    }

    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void QemuIsRefusedADiskLguestHolds(bool lguestReadOnly, bool qemuReadOnly)
    {
        QemuDiskUser.Require();
        KvmHost.Require();
        using var vm = HoldInLguest(_disk, lguestReadOnly);
        using (var qemu = new QemuDiskUser(_disk, qemuReadOnly))
        {
            Assert.False(qemu.HoldsDisk(), "QEMU opened a disk lguest holds");
            Assert.Matches("Failed to get (shared )?\"write\" lock", qemu.Stderr);
        }
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
    }

    /// <summary>The same, where KVM is missing: the engine's own disk code (BlockDevice.Open) holds the disk in this process.</summary>
    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void QemuMeetsTheLocksOfTheEnginesDiskCode(bool lguestReadOnly, bool qemuReadOnly)
    {
        QemuDiskUser.Require();
        using var disk = LguestPS.Engine.Virtio.Block.BlockDevice.Open(_disk, lguestReadOnly);
        using var qemu = new QemuDiskUser(_disk, qemuReadOnly);
        bool shared = lguestReadOnly && qemuReadOnly;
        Assert.True(qemu.HoldsDisk() == shared, $"QEMU {(shared ? "was refused" : "opened")} the disk:\n{qemu.Stderr}");
        if (!shared) Assert.Matches("Failed to get (shared )?\"write\" lock", qemu.Stderr);
    }

    [SkippableFact]
    public void TwoReadersShareWithLguestFirst()
    {
        QemuDiskUser.Require();
        KvmHost.Require();
        using var vm = HoldInLguest(_disk, ro: true);
        using (var qemu = new QemuDiskUser(_disk, readOnly: true))
            Assert.True(qemu.HoldsDisk(), $"QEMU was refused a disk two readers can share:\n{qemu.Stderr}");
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
    }

    [SkippableFact]
    public void ASecondLguestIsRefusedAndTheLockDiesWithTheFirst()
    {
        KvmHost.Require();
        using (var vm = HoldInLguest(_disk, ro: false))
        {
            Assert.Contains("another program", ExpectInUse(_disk, ro: false));
            vm.Signal(Tmds.Linux.LibC.SIGKILL); // even a kill -9 leaves no lock behind
            vm.WaitForExit();
        }
        using var again = HoldInLguest(_disk, ro: false);
        again.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, again.WaitForExit());
    }

    [Fact]
    public void AFlockHolderIsHonoured()
    {
        // .NET takes flock(LOCK_EX) for FileShare.None: what older lguests and flock(1) scripts hold.
        using var holder = new FileStream(_disk, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        ExpectInUse(_disk, ro: true);
    }

    [Fact]
    public void TheSameFileTwiceInOneVmSaysSo()
    {
        string link = Path.Combine(_dir, "link.img");
        File.CreateSymbolicLink(link, _disk);
        using var vm = EngineProcess.Start("--log-format=json", Block(_disk, false), Block(link, true), "64", TestGuest.BzImage);
        Assert.Equal(1, vm.WaitForExit(TimeSpan.FromSeconds(30)));
        var error = vm.Events.Single(e => e.GetProperty("event").GetString() == "error");
        Assert.Equal("InvalidArgument", error.GetProperty("id").GetString());
        Assert.Contains("same file", error.GetProperty("message").GetString());
        Assert.DoesNotContain("another", error.GetProperty("message").GetString());
    }
}
