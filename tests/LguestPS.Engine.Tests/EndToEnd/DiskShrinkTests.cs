namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>A disk file the host truncates under a writing guest stays truncated; the host is told once.</summary>
public sealed class DiskShrinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-shrink").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [SkippableFact]
    public void TruncatedUnderAWritingGuestTheFileStaysSmall()
    {
        KvmHost.Require();
        string disk = Path.Combine(_dir, "disk.img");
        using (var f = File.Create(disk)) f.SetLength(64 << 20);
        // The benchmark's writer, going round the whole 64 MiB in 4 KiB requests far longer than this test lasts.
        using var vm = EngineProcess.Start($"--block={disk}", "64", TestGuest.BzImage, "tests=blkbench",
            "guest.bench=seqwrite", "guest.benchmb=64", "guest.benchkb=4", "guest.benchpasses=100000");
        vm.WaitForOutput("BENCH seqwrite start");
        Virtio.Devices.DiskFileTests.Truncate(disk, 1 << 20); // truncate(2): no flock of .NET's in the engine's way
        // The device serves requests in order on one thread: once it has said so, no write from before the
        // truncation is still on its way to the file.
        vm.WaitForStderr("not grown back");
        long reported = new FileInfo(disk).Length;
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
        // Nothing grows it after that, whatever the guest goes on writing.
        Assert.Equal(reported, new FileInfo(disk).Length);
        Assert.Single(vm.Stderr.Split('\n'), l => l.Contains("not grown back"));
        // The file is 1 MiB, unless the truncation landed between one request's size check and its pwrite
        // (no lock stops truncate(2): DiskFile says so): then that one 4 KiB write, and nothing more, re-grew
        // it, and the engine's line names exactly that size.
        Assert.True(reported == 1 << 20 || vm.Stderr.Contains($"is now {reported} bytes") && reported % 4096 == 0,
            $"the file is {reported} bytes:\n{vm.Stderr}");
    }
}
