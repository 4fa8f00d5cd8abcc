using System.Management.Automation.Language;

namespace LguestPS.Module.Tests;

/*
 * build.ps1 and tests/pester/*.Tests.ps1 are for machines with pwsh (and
 * Pester), which ours are not: here they are at least parsed by PowerShell's
 * own parser, so they stay valid scripts, and checked for their shape.
 */
public class ScriptFilesTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string> { "build.ps1" };
        foreach (var f in Directory.GetFiles(Path.Combine(Layout.Root, "tests", "pester"), "*.ps1"))
            data.Add(Path.GetRelativePath(Layout.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesWithoutErrors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(Layout.Root, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void BuildPs1HasTheFiveSteps()
    {
        var ast = Parser.ParseFile(Path.Combine(Layout.Root, "build.ps1"), out _, out _);
        var task = ast.ParamBlock!.Parameters.Single(p => p.Name.VariablePath.UserPath == "Task");
        var set = task.Attributes.OfType<AttributeAst>().Single(a => a.TypeName.Name == "ValidateSet");
        Assert.Equal(new[] { "Clean", "Build", "Docs", "Test", "Package" },
            set.PositionalArguments.OfType<StringConstantExpressionAst>().Select(s => s.Value));
    }

    [Fact]
    public void ThePesterSpecsCoverTheUserScenarios()
    {
        string specs = string.Concat(Directory.GetFiles(Path.Combine(Layout.Root, "tests", "pester"), "*.Tests.ps1").Select(File.ReadAllText));
        foreach (var scenario in new[] { "Test-ModuleManifest", "Get-Help", "-WhatIf", "Start-LguestVm", "Receive-Job", "Stop-Job", "Wait-Job",
                     "Wait-LguestVm -Name echo -Pattern", "Send-LguestVmConsole", "Stop-LguestVm", "-OnReboot Exit", "GuestTripleFault", "/dev/kvm" })
            Assert.Contains(scenario, specs);
        Assert.Contains("Set-ItResult -Skipped -Because", specs);
    }
}
