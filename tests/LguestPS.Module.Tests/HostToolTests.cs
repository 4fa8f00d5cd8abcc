using System.Diagnostics;

namespace LguestPS.Module.Tests;

/// <summary>lguestps, the script host for machines without pwsh, run as users run it: a separate process.</summary>
[Collection(EngineCollection.Name)]
public class HostToolTests
{
    private static (int Code, string Out, string Err) Lguestps(params string[] args) => LguestpsWithEngine(null, args);

    private static (int Code, string Out, string Err) LguestpsWithEngine(string? engine, params string[] args) =>
        Run(engine, prefix: [], args);

    private static (int Code, string Out, string Err) Run(string? engine, string[] prefix, string[] args)
    {
        var psi = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = Layout.Root };
        foreach (var a in prefix.Skip(1)) psi.ArgumentList.Add(a);
        if (prefix.Length > 0) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Layout.HostTool);
        psi.ArgumentList.Add("-Module");
        psi.ArgumentList.Add(Layout.Manifest);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (engine != null) psi.Environment["LGUESTPS_ENGINE"] = engine;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(180_000), "lguestps did not finish");
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void RunsACommandWithTheModuleImported()
    {
        var (code, output, _) = Lguestps("-Command", "Get-Command -Module LguestPS | ForEach-Object Name");
        Assert.Equal(0, code);
        Assert.Equal(ManifestTests.Cmdlets, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
    }

    [Fact]
    public void FormatsOutputAndReportsErrorsLikePwsh()
    {
        var (code, output, err) = Lguestps("-Command", "New-LguestVm -Name shown -MemoryMB 64 -Kernel tests/guest/build/guest.bzImage; New-LguestVm -MemoryMB 64 -Kernel ./no/such/kernel");
        Assert.Equal(1, code);
        Assert.Matches(@"Name\s+State\s+MemoryMB", output);
        Assert.Matches(@"shown\s+Off\s+64", output);
        Assert.Contains("New-LguestVm: The kernel '", err);
        Assert.DoesNotContain("\u001b[", output + err);
    }

    [Fact]
    public void RunsAScriptFileWithArgumentsAndItsExitCode()
    {
        string script = Path.Combine(Path.GetTempPath(), $"lguestps-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(script, "param($Name, $Code)\n\"hello $Name\"\nexit $Code\n");
        try
        {
            var (code, output, _) = Lguestps(script, "-Name", "world", "-Code", "3");
            Assert.Equal(3, code);
            Assert.Contains("hello world", output);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void APowerShellThatExitsLeavesNoEngineBehind()
    {
        string dir = Directory.CreateTempSubdirectory("lguestps-exit-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "vmlinuz"), Fixtures.FakeBzImage());
            using var engine = FakeEngine.Script(dir, $"{FakeEngine.Ready}\necho started\n{FakeEngine.RunUntilTerm}");
            var (code, output, err) = LguestpsWithEngine(engine.Path_, "-Command",
                $"New-LguestVm -Name left -MemoryMB 64 -Kernel '{dir}/vmlinuz' | Start-LguestVm | Out-Null; Wait-LguestVm -Name left -Pattern started -Timeout 10 | Out-Null; (Get-LguestVm left).ProcessId");
            Assert.True(code == 0, err);
            int pid = int.Parse(output.Trim());
            Proc.WaitGone(pid, TimeSpan.FromSeconds(5));
            Assert.False(Proc.Exists(pid), $"engine {pid} outlived the PowerShell that started it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void APowerShellKilledOutrightStillLeavesNoEngineBehind()
    {
        string dir = Directory.CreateTempSubdirectory("lguestps-kill-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "vmlinuz"), Fixtures.FakeBzImage());
            using var engine = FakeEngine.Script(dir, $"{FakeEngine.Ready}\necho started\n{FakeEngine.RunUntilTerm}");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var a in new[] { Layout.HostTool, "-Module", Layout.Manifest, "-Command",
                $"New-LguestVm -Name orphan -MemoryMB 64 -Kernel '{dir}/vmlinuz' | Start-LguestVm | Out-Null; Wait-LguestVm -Name orphan -Pattern started -Timeout 10 | Out-Null; (Get-LguestVm orphan).ProcessId; [Threading.Thread]::Sleep(60000)" })
                psi.ArgumentList.Add(a);
            psi.Environment["LGUESTPS_ENGINE"] = engine.Path_;
            using var host = Process.Start(psi)!;
            int pid = int.Parse(host.StandardOutput.ReadLine()!.Trim());
            Assert.True(Proc.Exists(pid));
            host.Kill(); // SIGKILL: no ProcessExit handler, no runspace closing, nothing of ours runs
            host.WaitForExit();
            Proc.WaitGone(pid, TimeSpan.FromSeconds(10));
            Assert.False(Proc.Exists(pid), $"engine {pid} outlived a killed PowerShell");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The README's first command: the client's pipeline, through lguestps, booting the test guest.</summary>
    [SkippableFact]
    [Trait("Category", "EndToEnd")]
    public void TheReadmesFirstCommandBootsTheTestGuest()
    {
        Layout.RequireKvm();
        Layout.RequireBuilt();
        var (code, output, err) = Lguestps("-Command",
            "New-LguestVm -MemoryMB 64 -Kernel tests/guest/build/guest.bzImage -OnReboot Exit | Add-LguestRng | Start-LguestVm -Wait");
        Assert.True(code == 0, err);
        Assert.Matches(@"\[\s+\d+\.\d{3}\] TEST virtio-rng: ok", output);
        Assert.Matches(@"\[\s+\d+\.\d{3}\] TESTS DONE passed=\d+ failed=0", output);
    }

    /*
     * Add-LguestTapNetwork end to end. The whole PowerShell host runs in a
     * network namespace of its own (unshare --net: it vanishes with the
     * process), so the tap, its 169.254.77.1 address and every packet stay
     * there. The test guest ARPs for the host side and pings it through the
     * virtio-net device the cmdlet added.
     */
    [SkippableFact]
    [Trait("Category", "EndToEnd")]
    public void AddLguestTapNetworkGivesTheGuestANetworkToTheHost()
    {
        Layout.RequireKvm();
        Layout.RequireBuilt();
        Skip.IfNot(Environment.UserName == "root", "SKIPPED: creating a network namespace and a tap needs root");
        var (code, output, err) = Run(null, ["unshare", "--net", "--"], ["-Command",
            "New-LguestVm -MemoryMB 64 -Kernel tests/guest/build/guest.bzImage -OnReboot Exit " +
            "-KernelArguments 'tests=virtio-net guest.ip=169.254.77.2 guest.hostip=169.254.77.1' | " +
            "Add-LguestTapNetwork -IPAddress 169.254.77.1 -MacAddress 02:00:00:00:4c:07 | Start-LguestVm -Wait"]);
        Assert.True(code == 0, err + output);
        Assert.Contains("NET mac 02:00:00:00:4c:07", output);
        Assert.Contains("NET host 169.254.77.1 is", output);
        Assert.Matches(@"TEST virtio-net: ok", output);
    }
}
