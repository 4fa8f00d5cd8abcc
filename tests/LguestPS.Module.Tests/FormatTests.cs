using System.Text.RegularExpressions;
using LguestPS.Contract;

namespace LguestPS.Module.Tests;

/// <summary>The table views of LguestPS.format.ps1xml, as Out-Default renders them.</summary>
[Collection(EngineCollection.Name)]
public class FormatTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public FormatTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private static string[] Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

    [Fact]
    public void VmsRenderAsATable()
    {
        _ps.Invoke("New-LguestVm -Name web1 -MemoryMB 128 -Cpus 2 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice -Path ./disk.img | Out-Null").AssertNoErrors();
        var lines = Lines(_ps.Render("Get-LguestVm"));
        Assert.Matches(@"^Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices$", lines[0]);
        Assert.Matches(@"^-+\s+-+\s+-+", lines[1]);
        Assert.Matches(@"^web1\s+Off\s+128\s+2\s+Rng, Block$", lines[2]);
    }

    [Fact]
    public void DevicesRenderAsATable()
    {
        var lines = Lines(_ps.Render("(New-LguestVm -Name dev -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice -Path ./data.img -ReadOnly).Devices"));
        Assert.Matches(@"^Kind\s+Description$", lines[0]);
        Assert.Matches(@"^Rng\s+host entropy$", lines[2]);
        Assert.Matches(@"^Block\s+/.*/data\.img \(read-only\)$", lines[3]);
    }

    [Fact]
    public void ConsoleLinesReadLikeDmesg()
    {
        using var _ = FakeEngine.Script(_ps.WorkDir, $"{FakeEngine.Ready}\necho 'Linux version 6.1'\nprintf 'login: '\n{FakeEngine.ExitEvent(ExitReason.PowerOff)}");
        string text = _ps.Render("New-LguestVm -Name fmt -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm -Wait");
        var lines = Lines(text);
        Assert.Equal(2, lines.Length);
        Assert.Matches(new Regex(@"^\[\s+\d+\.\d{3}\] Linux version 6\.1$"), lines[0]);
        Assert.Matches(new Regex(@"^\[\s+\d+\.\d{3}\] login:\s+\.\.\.$"), lines[1]); // partial: marked
    }

    [Fact]
    public void ErrorsRenderWithTheCmdletsName()
    {
        string text = _ps.Render("New-LguestVm -MemoryMB 64 -Kernel ./missing 2>&1");
        Assert.Contains("New-LguestVm: The kernel '", text);
        Assert.DoesNotContain("\u001b[", text);
    }
}
