using System.Collections;
using System.Management.Automation;

namespace LguestPS.Module.Tests;

/// <summary>The module folder and its manifest, as Import-Module and Test-ModuleManifest see them.</summary>
public class ManifestTests(PowerShellSession ps) : IClassFixture<PowerShellSession>
{
    internal static readonly string[] Cmdlets =
    {
        "Add-LguestBlockDevice", "Add-LguestRng", "Add-LguestTapNetwork", "Get-LguestVm", "New-LguestVm",
        "Remove-LguestVm", "Send-LguestVmConsole", "Start-LguestVm", "Stop-LguestVm", "Wait-LguestVm",
    };

    [Fact]
    public void TheModuleFolderHoldsEverything()
    {
        foreach (var file in new[] { "LguestPS.psd1", "LguestPS.format.ps1xml", "LguestPS.types.ps1xml", "LguestPS.Module.dll", "en-US/LguestPS.Module.dll-Help.xml", "en-US/about_LguestPS.help.txt", "bin/lguest" })
            Assert.True(File.Exists(Path.Combine(Layout.ModuleDir, file)), $"out/LguestPS/{file} is missing");
        Assert.False(File.Exists(Path.Combine(Layout.ModuleDir, "System.Management.Automation.dll")), "the host's PowerShell must not be shipped");
    }

    [Fact]
    public void TestModuleManifestPasses()
    {
        var r = ps.Invoke("Test-ModuleManifest -Path $path", ("path", Layout.Manifest));
        r.AssertNoErrors();
        var info = r.Single<PSModuleInfo>();
        Assert.Equal("LguestPS", info.Name);
        Assert.Equal(new Version(7, 2), info.PowerShellVersion);
        Assert.Equal(new[] { "Core" }, info.CompatiblePSEditions);
        Assert.True(info.Description.Length > 100, "a real description");
        Assert.Equal(Cmdlets, info.ExportedCmdlets.Keys.Order());
        Assert.Empty(info.ExportedFunctions);
        Assert.Empty(info.ExportedAliases);
        Assert.Contains(info.ExportedFormatFiles, f => f.EndsWith("LguestPS.format.ps1xml", StringComparison.Ordinal));
        Assert.Contains(info.ExportedTypeFiles, f => f.EndsWith("LguestPS.types.ps1xml", StringComparison.Ordinal));
    }

    [Fact]
    public void ImportModuleExportsTheCmdletsFromTheAssembledFolder()
    {
        var r = ps.Invoke("Get-Module LguestPS");
        var module = r.Single<PSModuleInfo>();
        Assert.Equal(Layout.ModuleDir, Path.GetDirectoryName(module.Path));
        Assert.Equal(Cmdlets, module.ExportedCmdlets.Keys.Order());
        Assert.Equal(Layout.ModuleDll, typeof(LguestVm).Assembly.Location);
    }

    [Fact]
    public void TheManifestExportsExactlyTheCmdletsTheAssemblyDefines()
    {
        var defined = typeof(LguestVm).Assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Cast<CmdletAttribute>().SingleOrDefault())
            .Where(a => a != null).Select(a => $"{a!.VerbName}-{a.NounName}").Order();
        Assert.Equal(Cmdlets, defined);
        var ast = System.Management.Automation.Language.Parser.ParseFile(Layout.Manifest, out _, out var errors);
        Assert.Empty(errors);
        var data = (Hashtable)((System.Management.Automation.Language.HashtableAst)ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false)!).SafeGetValue();
        Assert.Equal(Cmdlets, ((object[])data["CmdletsToExport"]!).Cast<string>().Order());
    }
}
