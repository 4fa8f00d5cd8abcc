using System.Management.Automation;
using System.Reflection;
using LguestPS.Commands;

namespace LguestPS.Module.Tests;

/// <summary>The shape of every cmdlet: output types, parameter sets, ShouldProcess, pipeline binding.</summary>
public class CmdletDesignTests(PowerShellSession ps) : IClassFixture<PowerShellSession>
{
    public static TheoryData<string> Cmdlets => new(ManifestTests.Cmdlets);

    private CmdletInfo Get(string name) => ps.Invoke("Get-Command $n", ("n", name)).Single<CmdletInfo>();

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void DeclaresItsOutputType(string name) => Assert.NotEmpty(Get(name).OutputType);

    [Theory]
    [InlineData("New-LguestVm", true)]
    [InlineData("Add-LguestBlockDevice", true)]
    [InlineData("Add-LguestTapNetwork", true)]
    [InlineData("Add-LguestRng", true)]
    [InlineData("Start-LguestVm", true)]
    [InlineData("Stop-LguestVm", true)]
    [InlineData("Remove-LguestVm", true)]
    [InlineData("Send-LguestVmConsole", true)]
    [InlineData("Get-LguestVm", false)]
    [InlineData("Wait-LguestVm", false)]
    public void SupportsWhatIfExactlyWhereStateChanges(string name, bool changesState)
    {
        var info = Get(name);
        Assert.Equal(changesState, info.Parameters.ContainsKey("WhatIf"));
        Assert.Equal(changesState, info.Parameters.ContainsKey("Confirm"));
    }

    [Theory]
    [InlineData("Start-LguestVm")]
    [InlineData("Stop-LguestVm")]
    [InlineData("Wait-LguestVm")]
    [InlineData("Remove-LguestVm")]
    public void AddressesVmsByNameOrObject(string name)
    {
        var info = Get(name);
        Assert.Equal(new[] { "Name", "VM" }, info.ParameterSets.Select(s => s.Name).Order());
        Assert.Equal("VM", info.DefaultParameterSet);
        var nameParam = info.Parameters["Name"].Attributes.OfType<ParameterAttribute>().Single();
        Assert.True(nameParam.ValueFromPipeline && nameParam.ValueFromPipelineByPropertyName);
        Assert.True(info.Parameters["VM"].Attributes.OfType<ParameterAttribute>().Single().ValueFromPipeline);
    }

    [Theory]
    [InlineData("Add-LguestBlockDevice")]
    [InlineData("Add-LguestRng")]
    [InlineData("Add-LguestTapNetwork")]
    [InlineData("Send-LguestVmConsole")]
    public void DeviceAndConsoleCmdletsTakeTheVmFromThePipeline(string name)
    {
        var info = Get(name);
        Assert.True(info.Parameters["VM"].Attributes.OfType<ParameterAttribute>().All(a => a.ValueFromPipeline));
        Assert.True(info.Parameters.ContainsKey("VMName"));
    }

    [Fact]
    public void ParameterSetNamesAreConstants()
    {
        // The sets every VM-addressing cmdlet shares come from one place.
        var constants = typeof(LguestVmCmdletBase).Assembly.GetType("LguestPS.Commands.ParameterSets")!
            .GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public).Select(f => (string)f.GetValue(null)!).ToHashSet();
        Assert.Superset(new HashSet<string> { "Name", "VM", "VMName" }, constants);
    }

    [Fact]
    public void EveryCmdletIsSealedAndThin()
    {
        foreach (var t in typeof(LguestVm).Assembly.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null))
        {
            Assert.True(t.IsSealed, $"{t.Name} is sealed");
            Assert.True(File.ReadAllLines(Path.Combine(Layout.Root, "src", "LguestPS.Module", "Commands", t.Name + ".cs")).Length < 150, $"{t.Name} stays thin");
        }
    }
}
