using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.Contract;

/*
 * docs/engine.md is the contract written for people; src/LguestPS.Contract
 * is the same contract compiled into the engine and the module. These tests
 * read the document's tables and fail, naming the row, when the two part.
 */
public class EngineDocTests
{
    private static readonly string Doc = Markdown.Read("docs/engine.md");

    [Fact]
    public void TheExitCodeTableIsTheContractsExitTable()
    {
        var documented = Markdown.Table(Doc, "Exit codes").Select(r =>
            $"{r[0]} {string.Join(",", Markdown.Code(r[1]))} {r[2]}").ToList();
        var contract = ExitReason.All.GroupBy(e => e.Code).OrderBy(g => g.Key).Select(g =>
            $"{g.Key} {string.Join(",", g.Select(e => e.Name))} {g.Select(e => e.Outcome.ToString().ToLowerInvariant()).Distinct().Single()}").ToList();
        Assert.Equal(contract, documented);
    }

    [Fact]
    public void TheEventTableIsTheContractsEvents()
    {
        var rows = Markdown.Table(Doc, "JSON events");
        var documented = rows.Select(r => $"{Markdown.Code(r[0]).Single()}: {string.Join(", ", Markdown.Code(r[1]))}").ToList();
        var contract = EventShape.All.Select(e => $"{e.Name}: {string.Join(", ", e.Fields)}").ToList();
        Assert.Equal(contract, documented);
        foreach (var e in EventShape.All)
        {
            var said = Markdown.Code(rows.Single(r => Markdown.Code(r[0]).Single() == e.Name)[2]);
            foreach (var word in e.Values)
                Assert.True(said.Contains(word), $"docs/engine.md: the `{e.Name}` event's row does not mention `{word}`");
        }
        Assert.Contains($"`\"{Events.EventField}\"` and `\"{Events.TimeField}\"`", Doc);
    }

    [Fact]
    public void TheErrorIdTableIsTheContractsIds()
    {
        var documented = Markdown.Table(Doc, "Error ids").Select(r => $"{Markdown.Code(r[0]).Single()} {Markdown.Code(r[1]).Single()}").ToList();
        var contract = ErrorIds.All.Select(id => $"{id.Name()} {id.ExitOf().Name}").ToList();
        Assert.Equal(contract, documented);
    }

    [Fact]
    public void TheOptionTableNamesEveryOption()
    {
        var documented = Markdown.Table(Doc, "The `lguest` engine")
            .SelectMany(r => Markdown.Code(r[0]))
            .Select(o => Regex.Match(o, "^-+[a-z-]+").Value).ToList();
        Assert.Equal(OptionNames.All.Select(n => "--" + n).Append(OptionNames.VerboseShort).Order(), documented.Order());
    }

    [Theory]
    [InlineData("docs/engine.md")]
    [InlineData("README.md")]
    public void TheSynopsisIsTheUsageTheEnginePrints(string doc)
    {
        string synopsis = Markdown.CodeBlock(Markdown.Read(doc), "lguest [");
        Assert.Equal(Markdown.Squeeze(EngineCommandLine.Usage["usage: ".Length..]), Markdown.Squeeze(synopsis));
    }

    [Fact]
    public void TheLimitsTableHasTheContractsLimits()
    {
        var rows = Markdown.Table(Doc, "Limits");
        string Row(string what) => string.Join(" | ", rows.Single(r => r[0].StartsWith(what, StringComparison.Ordinal)));
        Assert.Contains($"1 to {Limits.MaxCpus}", Row("vCPUs"));
        Assert.Contains($"{Limits.MinMemoryMiB} to {Limits.MaxMemoryMiB} MiB", Row("guest RAM"));
        Assert.Contains($"| {Limits.MaxDevices} |", Row("devices besides the console"));
        Assert.Contains($"a multiple of {Limits.SectorSize} bytes", Row("disk image size"));
    }
}
