using System.Management.Automation;
using System.Text.RegularExpressions;
using LguestPS.HelpGen;

namespace LguestPS.Module.Tests;

/*
 * docs/cmdlets/*.md and the cmdlets must agree: a cmdlet or parameter without
 * docs, or docs for something that does not exist, or metadata that drifted
 * (type, sets, position, pipeline input, aliases, wildcards) fails here.
 * Then Get-Help must show it all from the MAML the build made.
 */
public class HelpTests(PowerShellSession ps) : IClassFixture<PowerShellSession>
{
    public static TheoryData<string> Cmdlets => new(ManifestTests.Cmdlets);

    private static readonly HashSet<string> Common = new(Cmdlet.CommonParameters, StringComparer.OrdinalIgnoreCase);

    private static CommandHelp Doc(string name)
    {
        string path = Path.Combine(Layout.DocsDir, name + ".md");
        Assert.True(File.Exists(path), $"{name} has no docs: write docs/cmdlets/{name}.md");
        return MarkdownHelpReader.ReadFile(path);
    }

    private CmdletInfo Cmd(string name) => ps.Invoke("Get-Command $n", ("n", name)).Single<CmdletInfo>();

    [Fact]
    public void EveryDocIsForACmdlet()
    {
        var docs = Directory.GetFiles(Layout.DocsDir, "*.md").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(ManifestTests.Cmdlets, docs);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HasSynopsisDescriptionExamplesAndTypes(string name)
    {
        var doc = Doc(name);
        Assert.Equal(name, doc.Name);
        Assert.Equal("LguestPS.Module.dll-Help.xml", doc.FrontMatter["external help file"]);
        Assert.Equal("LguestPS", doc.FrontMatter["Module Name"]);
        Assert.NotEmpty(string.Concat(doc.Synopsis));
        Assert.NotEmpty(doc.Description);
        Assert.NotEmpty(doc.Examples);
        Assert.All(doc.Examples, e => { Assert.NotEmpty(e.Code); Assert.NotEmpty(e.Remarks); });
        Assert.True(doc.HasCommonParameters, "the CommonParameters section");
        Assert.NotEmpty(doc.Outputs);
        var declared = Cmd(name).OutputType.Select(t => t.Name).ToHashSet();
        Assert.All(doc.Outputs, o => Assert.Contains(o.TypeName, declared));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void DocumentsEveryParameterAsItIs(string name)
    {
        var doc = Doc(name);
        var cmd = Cmd(name);
        var real = cmd.Parameters.Values.Where(p => !Common.Contains(p.Name)).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(real.Keys.Order(StringComparer.OrdinalIgnoreCase), doc.Parameters.Select(p => p.Name).Order(StringComparer.OrdinalIgnoreCase));

        foreach (var help in doc.Parameters)
        {
            var p = real[help.Name];
            string where = $"{name} -{p.Name}";
            Assert.True(help.Description.Count > 0 && help.Description[0].Length > 10, $"{where} has a description");
            Assert.All(help.Metadata, m =>
            {
                Assert.Equal(TypeName(p.ParameterType), m.Type);
                Assert.Equal(p.Aliases.Order(), m.Aliases.Order());
                Assert.Equal(p.Attributes.OfType<SupportsWildcardsAttribute>().Any(), m.Wildcards);
                if (p.ParameterType.IsEnum) Assert.Equal(Enum.GetNames(p.ParameterType), m.AcceptedValues);
            });
            // Every set the parameter is in is described once, with the attributes it has there.
            foreach (var (set, attr) in p.ParameterSets)
            {
                string setName = set == "__AllParameterSets" ? "(All)" : set;
                var m = help.Metadata.SingleOrDefault(x => x.ParameterSets.Contains(setName));
                Assert.True(m != null, $"{where}: parameter set {setName} is not documented");
                Assert.Equal(attr.IsMandatory, m!.Required);
                Assert.Equal(attr.Position >= 0 ? attr.Position.ToString() : "Named", m.Position);
                Assert.Equal(Pipeline(attr), m.PipelineInput);
            }
            Assert.Equal(p.ParameterSets.Count, help.Metadata.Sum(m => m.ParameterSets.Count));
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void SyntaxBlocksMatchTheParameterSets(string name)
    {
        var doc = Doc(name);
        var cmd = Cmd(name);
        string Norm(string s) => Regex.Replace(s, @"\s+", " ").Trim().ToLowerInvariant().Replace("<int32>", "<int>");
        var expected = cmd.ParameterSets.ToDictionary(s => s.Name, s => Norm($"{name} {s}"));
        if (cmd.ParameterSets.Count == 1)
        {
            Assert.Equal(expected.Values.Single(), Norm(Assert.Single(doc.Syntax).Code));
            return;
        }
        Assert.Equal(expected.Keys.Order(), doc.Syntax.Select(s => s.Name).Order());
        foreach (var s in doc.Syntax) Assert.Equal(expected[s.Name], Norm(s.Code));
        Assert.Equal(cmd.DefaultParameterSet, doc.Syntax.Single(s => s.IsDefault).Name);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void GetHelpShowsTheDocs(string name)
    {
        var doc = Doc(name);
        string full = ps.Render($"Get-Help {name} -Full");
        Assert.Contains(Flat(doc.Synopsis[0]), Flat(full));
        Assert.Contains(Flat(doc.Description[0]), Flat(full));
        foreach (var p in doc.Parameters)
        {
            Assert.Contains($"-{p.Name}", full);
            Assert.Contains(Flat(p.Description[0]), Flat(full));
        }
        foreach (var e in doc.Examples) Assert.Contains(e.Title, full);
        Assert.Contains(Flat(doc.Examples[0].Code.Split('\n')[0]), Flat(full));
    }

    /// <summary>RELATED LINKS in Get-Help are the markdown's links, in order (the generator once dropped them all).</summary>
    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void GetHelpListsTheRelatedLinks(string name)
    {
        var doc = Doc(name);
        Assert.NotEmpty(doc.RelatedLinks);
        Assert.Contains(doc.RelatedLinks, l => l.Text == "about_LguestPS");
        var links = ps.Invoke("(Get-Help $n).relatedLinks.navigationLink | ForEach-Object linkText", ("n", name)).Output.Select(o => o.ToString());
        Assert.Equal(doc.RelatedLinks.Select(l => l.Text), links);
    }

    [Fact]
    public void TheAboutTopicShipsWithTheModule()
    {
        string topic = Path.Combine(Layout.ModuleDir, "en-US", "about_LguestPS.help.txt");
        Assert.True(File.Exists(topic), topic);
        string text = File.ReadAllText(topic);
        foreach (var heading in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION", "VIRTUAL MACHINES", "JOBS", "CONSOLE RECORDS", "THE ENGINE", "SOFTWARE-ONLY KVM (PVM)", "SEE ALSO" })
            Assert.Contains(heading, text);
        foreach (var cmdlet in ManifestTests.Cmdlets) Assert.Contains(cmdlet, text);
    }

    [Fact]
    public void GetHelpExamplesAndParameterWork()
    {
        var help = ps.Invoke("Get-Help New-LguestVm -Parameter MemoryMB").Output.Single();
        Assert.Equal("256", help.Properties["defaultValue"].Value?.ToString());
        Assert.Contains("Example 3", ps.Render("Get-Help New-LguestVm -Examples"));
    }

    /// <summary>Get-Help wraps lines at the host's width; compare with whitespace flattened.</summary>
    private static string Flat(string s) => Regex.Replace(s, @"\s+", "");

    private static string TypeName(Type t) => t.IsArray ? t.GetElementType()!.Name + "[]" : t.Name;

    private static string Pipeline(ParameterSetMetadata a)
    {
        var kinds = new List<string>();
        if (a.ValueFromPipelineByPropertyName) kinds.Add("ByPropertyName");
        if (a.ValueFromPipeline) kinds.Add("ByValue");
        return kinds.Count == 0 ? "False" : $"True ({string.Join(", ", kinds)})";
    }
}
