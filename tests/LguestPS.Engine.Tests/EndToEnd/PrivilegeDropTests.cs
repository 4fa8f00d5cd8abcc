namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>--chroot and --username: the running VMM really is that user in that root, and the guest keeps working.</summary>
public sealed class PrivilegeDropTests : IDisposable
{
    private readonly string _jail = Directory.CreateTempSubdirectory("lguest-jail").FullName;

    public void Dispose() => Directory.Delete(_jail, true);

    private static string Status(int pid, string key) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith(key + ":")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    [SkippableFact]
    public void TheVmmRunsAsTheUserInsideTheJailAndTheGuestStillWorks()
    {
        KvmHost.Require();
        Skip.If(Tmds.Linux.LibC.geteuid() != 0, "SKIPPED: dropping privileges needs a root test run (effective uid 0)");
        var nobody = LguestPS.Engine.Cli.PrivilegeDrop.Resolve("nobody");
        using var vm = EngineProcess.Start("--on-reboot=exit", "--username=nobody", $"--chroot={_jail}", "--rng",
            "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        Assert.Equal($"{nobody.Uid}", Status(vm.Pid, "Uid").Split('\t')[0]);
        Assert.All(Status(vm.Pid, "Uid").Split('\t'), id => Assert.Equal($"{nobody.Uid}", id)); // real, effective, saved, fs
        Assert.All(Status(vm.Pid, "Gid").Split('\t'), id => Assert.Equal($"{nobody.Gid}", id));
        Assert.Equal(_jail, new DirectoryInfo($"/proc/{vm.Pid}/root").LinkTarget);
        vm.WriteStdin("still here\n");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("ECHO still here", vm.Stdout);
    }

    /// <summary>--chroot alone leaves the engine root, but a root with no capability in any set.</summary>
    [SkippableFact]
    public void AJailWithoutAUserDropsEveryCapability()
    {
        KvmHost.Require();
        Skip.If(Tmds.Linux.LibC.geteuid() != 0, "SKIPPED: --chroot needs a root test run (effective uid 0)");
        using var vm = EngineProcess.Start("--on-reboot=exit", $"--chroot={_jail}", "--rng", "64", TestGuest.BzImage, "tests=mptable,serial");
        vm.WaitForOutput("READY serial");
        Assert.Equal(_jail, new DirectoryInfo($"/proc/{vm.Pid}/root").LinkTarget);
        foreach (var set in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
            Assert.True(Status(vm.Pid, set) == "0000000000000000", $"{set} is {Status(vm.Pid, set)}");
        vm.WriteStdin("still here\n");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Contains("ECHO still here", vm.Stdout);
    }

    [Fact]
    public void AnUnknownUserOrAMissingJailIsRefusedBeforeAnythingRuns()
    {
        using (var vm = EngineProcess.Start("--username=no-such-user-here", "64", TestGuest.BzImage))
        {
            Assert.Equal(1, vm.WaitForExit());
            Assert.Contains("--username=no-such-user-here: no such user", vm.Stderr);
            Assert.Equal("", vm.Stdout);
        }
        using (var vm = EngineProcess.Start($"--chroot={Path.Combine(_jail, "nope")}", "64", TestGuest.BzImage))
        {
            Assert.Equal(1, vm.WaitForExit());
            Assert.Contains("no such directory", vm.Stderr);
        }
    }
}
