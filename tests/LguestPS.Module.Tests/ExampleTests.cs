using System.Management.Automation;
using System.Text.RegularExpressions;
using LguestPS.HelpGen;

namespace LguestPS.Module.Tests;

/// <summary>The examples of docs/cmdlets, as data: the ones that boot a VM run in EndToEndTests.</summary>
public static class DocExamples
{
    public sealed record Example(string Cmdlet, string Title, string Code)
    {
        public override string ToString() => $"{Cmdlet}: {Title}";
    }

    public static IEnumerable<Example> All() =>
        Directory.GetFiles(Layout.DocsDir, "*.md").Order(StringComparer.Ordinal)
            .Select(MarkdownHelpReader.ReadFile)
            .SelectMany(d => d.Examples.Select(e => new Example(d.Name, e.Title, e.Code)));

    /// <summary>An example that starts a VM for real needs KVM and the test guest.</summary>
    public static bool Boots(Example e) => Regex.IsMatch(e.Code, @"Start-LguestVm(?![^\n]*-WhatIf)");

    public static TheoryData<string, string> Data(bool boots)
    {
        var data = new TheoryData<string, string>();
        foreach (var e in All().Where(e => Boots(e) == boots)) data.Add(e.Cmdlet, e.Title);
        return data;
    }

    public static string Code(string cmdlet, string title) => All().Single(e => e.Cmdlet == cmdlet && e.Title == title).Code;

    /// <summary>
    /// The commands an example uses that this in-process host lacks (it has
    /// only PowerShell's core cmdlets: no Import-Csv, Set-Content or
    /// Select-Object). tests/pester/Examples.Tests.ps1 runs every example in
    /// real pwsh; here such an example is skipped, saying which commands.
    /// </summary>
    public static IReadOnlyList<string> MissingCommands(PowerShellSession session, string code)
    {
        var ast = System.Management.Automation.Language.Parser.ParseInput(code, out _, out _);
        return ast.FindAll(a => a is System.Management.Automation.Language.CommandAst, true)
            .Cast<System.Management.Automation.Language.CommandAst>()
            .Select(c => c.GetCommandName()).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(n => session.Invoke("Get-Command $n -ErrorAction Ignore", ("n", n)).Output.Count == 0)
            .ToList();
    }

    /// <summary>Skips an example that needs commands this host lacks (see MissingCommands).</summary>
    public static void SkipUnlessRunnableHere(PowerShellSession session, string code)
    {
        var missing = MissingCommands(session, code);
        Skip.If(missing.Count > 0, $"uses {string.Join(", ", missing)}, which the in-process host lacks; tests/pester/Examples.Tests.ps1 runs it in pwsh");
    }

    /// <summary>Runs an example the way a user at the prompt would (through Out-Default); returns what it printed.</summary>
    public static string Run(PowerShellSession session, string code)
    {
        using var ps = PowerShell.Create(session.Runspace);
        ps.AddScript(code).AddCommand("Out-Default");
        ps.Invoke();
        Assert.False(ps.HadErrors, "the example failed: " + string.Join("\n", ps.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
        return session.Render("Get-LguestVm");
    }
}

/// <summary>Every example in the docs that does not boot a VM runs, without errors, exactly as written.</summary>
[Collection(EngineCollection.Name)]
public class ExampleTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public ExampleTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    public static TheoryData<string, string> Examples => DocExamples.Data(boots: false);

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void RunsAsWritten(string cmdlet, string title)
    {
        string code = DocExamples.Code(cmdlet, title);
        DocExamples.SkipUnlessRunnableHere(_ps, code);
        DocExamples.Run(_ps, code);
    }

    [Fact]
    public void EveryCmdletHasAnExampleThatRunsHereOrWhereKvmIs()
    {
        var all = DocExamples.All().ToList();
        Assert.All(ManifestTests.Cmdlets, c => Assert.Contains(all, e => e.Cmdlet == c));
        Assert.Contains(all, DocExamples.Boots);
    }
}
