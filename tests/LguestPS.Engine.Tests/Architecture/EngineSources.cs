using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.Architecture;

/// <summary>The engine's and the contract's source files, with comments and string literals taken out.</summary>
public static class EngineSources
{
    public static string Root(string project) => Path.Combine(EndToEnd.TestGuest.RepoRoot, "src", project);

    /// <summary>Every .cs file of a project (bin and obj left out), relative path → text.</summary>
    public static IEnumerable<(string Path, string Text)> Files(string project)
    {
        string root = Root(project);
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/"))
            .Order()
            .Select(f => (f, File.ReadAllText(Path.Combine(root, f))));
    }

    /// <summary>The namespace a file's folder says it is in.</summary>
    public static string FolderNamespace(string project, string relativePath)
    {
        string dir = Path.GetDirectoryName(relativePath)!.Replace('/', '.');
        string rootNs = project == "LguestPS.Contract" ? "LguestPS.Contract" : "LguestPS.Engine";
        return dir.Length == 0 ? rootNs : rootNs + "." + dir;
    }

    private static readonly Regex Noise = new(
        """//[^\n]*|/\*.*?\*/|@"(?:[^"]|"")*"|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)'""", RegexOptions.Singleline);

    /// <summary>The text with comments, strings and characters blanked (kept to the same lines).</summary>
    public static string Code(string text) => Noise.Replace(text, m => new string(m.Value.Where(c => c == '\n').ToArray()));
}
