using System.Reflection;
using System.Text.RegularExpressions;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Architecture;

/*
 * The layers of ../shared/DESIGN.md, held by two readers that cover each
 * other: the compiled engine (every type, method and field a type's code
 * names, however it is spelled) and its sources (using directives and
 * qualified names, which also catch constants the compiler inlines). A
 * failure names the file or type, what it used, and the rule it broke.
 */
public class LayerTests
{
    private static readonly Assembly EngineAssembly = typeof(Machine).Assembly;

    [Fact]
    public void NoCompiledTypeCrossesALayerTheWrongWay()
    {
        var broken = new List<string>();
        foreach (var ((type, ns), refs) in TypeReferences.Read(EngineAssembly.Location))
            foreach (var to in refs.Order())
                if (Layers.Violation(ns, to) is { } why)
                    broken.Add($"{type} uses {to}: {why}");
        Assert.True(broken.Count == 0, "layer violations in the compiled engine:\n" + string.Join("\n", broken));
    }

    /// <summary>Namespace → the names of its types, to recognise "Boot.MpTable" as a reference to the Boot layer.</summary>
    private static readonly Dictionary<string, HashSet<string>> TypesByNamespace = EngineAssembly.GetTypes()
        .Where(t => t.Namespace != null && !t.IsNested)
        .GroupBy(t => t.Namespace!)
        .ToDictionary(g => g.Key, g => g.Select(t => t.Name.Split('`')[0]).ToHashSet());

    private static readonly Regex UsingDirective = new(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", RegexOptions.Multiline);
    private static readonly Regex DottedName = new(@"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+");

    /// <summary>The engine namespaces a source file names: in using directives, and as qualifiers of one of their types.</summary>
    private static IEnumerable<(int Line, string Namespace)> NamedNamespaces(string code)
    {
        foreach (Match m in UsingDirective.Matches(code))
        {
            string target = m.Groups[1].Value;
            // "using static LguestPS.Engine.Interop.KvmApi" names the type's namespace.
            string ns = TypesByNamespace.ContainsKey(target) ? target : target[..Math.Max(0, target.LastIndexOf('.'))];
            if (ns.StartsWith(Layers.Engine, StringComparison.Ordinal) || ns.StartsWith(Layers.Contract, StringComparison.Ordinal))
                yield return (LineOf(code, m.Index), TypesByNamespace.ContainsKey(target) ? target : ns);
        }
        foreach (Match m in DottedName.Matches(code))
        {
            // In a.b.c.d, any of a / a.b / a.b.c may be a namespace and the next part one of its types; a
            // namespace may be written in full or relative to an enclosing one (Boot.MpTable inside LguestPS.Engine.Virtio).
            string[] parts = m.Value.Split('.');
            for (int k = 1; k < parts.Length; k++)
            {
                string qualifier = string.Join('.', parts[..k]);
                string? ns = new[] { qualifier, Layers.Engine + "." + qualifier }
                    .FirstOrDefault(n => TypesByNamespace.TryGetValue(n, out var types) && types.Contains(parts[k]));
                if (ns != null) yield return (LineOf(code, m.Index), ns);
            }
        }
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [Fact]
    public void NoSourceFileNamesALayerItMayNotUse()
    {
        var broken = new List<string>();
        foreach (var project in new[] { "LguestPS.Engine", "LguestPS.Contract" })
            foreach (var (path, text) in EngineSources.Files(project))
            {
                string fileNs = EngineSources.FolderNamespace(project, path);
                foreach (var (line, ns) in NamedNamespaces(EngineSources.Code(text)))
                    if (Layers.Violation(fileNs, ns) is { } why)
                        broken.Add($"src/{project}/{path}:{line} names {ns}: {why}");
            }
        Assert.True(broken.Count == 0, "layer violations in the sources:\n" + string.Join("\n", broken.Distinct()));
    }

    [Fact]
    public void EveryEngineNamespaceIsALayer()
    {
        var unknown = TypesByNamespace.Keys
            .Where(ns => ns.StartsWith(Layers.Engine + ".", StringComparison.Ordinal))
            .Select(ns => Layers.LayerOf(ns)!)
            .Where(l => !Layers.Level.ContainsKey(l))
            .Distinct().ToList();
        Assert.True(unknown.Count == 0, $"namespaces outside DESIGN.md's layers: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void TheContractIsCompiledFromItsOwnFolderOnly()
    {
        // Every LguestPS.Contract type in the engine comes from src/LguestPS.Contract, and that folder holds nothing else.
        var compiled = EngineAssembly.GetTypes().Where(t => t.Namespace == Layers.Contract && !t.IsNested && !t.Name.StartsWith('<'))
            .Select(t => t.Name).Order().ToList();
        var declared = EngineSources.Files("LguestPS.Contract").Select(f => Path.GetFileNameWithoutExtension(f.Path)).Order().ToList();
        Assert.Equal(declared, compiled);
    }

    [Fact]
    public void TheModuleUsesNothingOfTheEngineButTheContract()
    {
        string module = EngineSources.Root("LguestPS.Module");
        // Its project compiles no source from outside its folder but the contract's, and references no engine project.
        string csproj = File.ReadAllText(Path.Combine(module, "LguestPS.Module.csproj"));
        var outside = Regex.Matches(csproj, "(?:Compile|ProjectReference|Reference)\\s+Include=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value)
            .Where(p => p.StartsWith("..") && !p.StartsWith("../LguestPS.Contract/") && !p.StartsWith("..\\LguestPS.Contract\\"))
            .ToList();
        Assert.True(outside.Count == 0, $"LguestPS.Module.csproj brings in {string.Join(", ", outside)}: the module may use only src/LguestPS.Contract");
        Assert.DoesNotContain("LguestPS.Engine", csproj);
        var naming = Directory.EnumerateFiles(module, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Where(f => EngineSources.Code(File.ReadAllText(f)).Contains("LguestPS.Engine"))
            .ToList();
        Assert.True(naming.Count == 0, $"module sources that name the engine: {string.Join(", ", naming)}");
    }

    [Fact]
    public void TheReadmeListsTheLayersInTheirOrder()
    {
        var row = Contract.Markdown.Table(Contract.Markdown.Read("README.md"), "Layout")
            .Single(r => r[0] == "`src/LguestPS.Engine`");
        var named = Contract.Markdown.Code(row[1]).Where(Layers.Level.ContainsKey).ToList();
        Assert.Equal(Layers.Level.Keys.Order(), named.Order());
        Assert.Equal(named.OrderBy(l => Layers.Level[l]), named); // read left to right, bottom layer first
    }
}
