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

    private static readonly HashSet<string> DeclaredSets =
        typeof(LguestVmCmdletBase).Assembly.GetType("LguestPS.Commands.ParameterSets")!
            .GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();

    /// <summary>
    /// The parameter sets as PowerShell built them from the attributes: each
    /// set's name is one of the declared constants (a typo makes a set of its
    /// own, which PowerShell accepts silently), and a cmdlet with sets names
    /// one of them as its default (a default that names no set leaves binding
    /// ambiguous for exactly the pipelines users write).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void ParameterSetNamesAreTheDeclaredConstants(string name)
    {
        var info = Get(name);
        var sets = info.ParameterSets.Select(s => s.Name).Where(s => s != ParameterAttribute.AllParameterSets).ToList();
        Assert.All(sets, s => Assert.Contains(s, DeclaredSets));
        if (sets.Count == 0) return;
        Assert.Contains(info.DefaultParameterSet, sets);
        Assert.Single(info.ParameterSets, s => s.IsDefault);
    }

    [Fact]
    public void EveryDeclaredParameterSetIsUsed()
    {
        var used = ManifestTests.Cmdlets.SelectMany(n => Get(n).ParameterSets.Select(s => s.Name)).ToHashSet();
        Assert.Subset(used, DeclaredSets);
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
