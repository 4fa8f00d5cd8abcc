using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.Architecture;

/// <summary>STYLE.md's shape rules for the engine and the contract: namespaces match folders, every top-level type has a file of its name.</summary>
public class SourceShapeTests
{
    public static TheoryData<string> Projects => new() { "LguestPS.Engine", "LguestPS.Contract" };

    [Theory]
    [MemberData(nameof(Projects))]
    public void NamespacesMatchFolders(string project)
    {
        var wrong = EngineSources.Files(project)
            .Select(f => (f.Path, Declared: Regex.Match(f.Text, @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline).Groups[1].Value,
                Expected: EngineSources.FolderNamespace(project, f.Path)))
            .Where(f => f.Declared != f.Expected)
            .Select(f => $"{f.Path}: namespace {f.Declared}, its folder says {f.Expected}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    // A type declared at the top level of a file (file-scoped namespaces: no indentation).
    private static readonly Regex TopLevelType = new(
        @"^(?:\[[^\n]*\]\s*)*(?:(?:public|internal|file|static|sealed|abstract|unsafe|readonly|partial|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\]?]+)\s+(\w+)",
        RegexOptions.Multiline);

    /// <summary>Kernel structs keep their C names and live in the file of their header (STYLE.md: one file per kernel header).</summary>
    private static bool IsCName(string type) => type.Length > 0 && char.IsLower(type[0]);

    [Theory]
    [MemberData(nameof(Projects))]
    public void EveryTypeLivesInAFileOfItsName(string project)
    {
        var wrong = new List<string>();
        foreach (var (path, text) in EngineSources.Files(project))
        {
            string stem = Path.GetFileName(path).Split('.')[0]; // Virtqueue.Pop.cs holds part of Virtqueue
            foreach (Match m in TopLevelType.Matches(EngineSources.Code(text)))
            {
                string type = m.Groups[1].Value;
                if (type != stem && !IsCName(type)) wrong.Add($"{path}: {type} belongs in {type}.cs");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
