using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.Contract;

/// <summary>Just enough Markdown to read the tables and code blocks of our own docs.</summary>
public static class Markdown
{
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(EndToEnd.TestGuest.RepoRoot, relativePath));

    /// <summary>The rows (cells trimmed, header and rule left out) of the first table under the heading that starts with <paramref name="heading"/>.</summary>
    public static List<string[]> Table(string doc, string heading)
    {
        var lines = doc.Split('\n');
        int i = Array.FindIndex(lines, l => l.StartsWith("#") && l.TrimStart('#').Trim().StartsWith(heading, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no heading '{heading}'");
        while (i < lines.Length && !lines[i].StartsWith('|')) i++;
        var rows = new List<string[]>();
        for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            rows.Add(SplitRow(lines[i]));
        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>Cells split at pipes that are not escaped (<c>\|</c>) and not inside backticks.</summary>
    private static string[] SplitRow(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool code = false;
        for (int i = 1; i < line.TrimEnd().Length - 1; i++)
        {
            char c = line[i];
            if (c == '`') code = !code;
            if (c == '\\' && i + 1 < line.Length && line[i + 1] == '|') { cell.Append('|'); i++; continue; }
            if (c == '|' && !code) { cells.Add(cell.ToString().Trim()); cell.Clear(); continue; }
            cell.Append(c);
        }
        cells.Add(cell.ToString().Trim());
        return cells.ToArray();
    }

    /// <summary>The words in backticks in a piece of Markdown, in order.</summary>
    public static List<string> Code(string text) => Regex.Matches(text, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();

    /// <summary>The first fenced code block whose text starts with <paramref name="start"/>.</summary>
    public static string CodeBlock(string doc, string start)
    {
        foreach (Match m in Regex.Matches(doc, "```[a-z]*\n(.*?)```", RegexOptions.Singleline))
            if (m.Groups[1].Value.StartsWith(start, StringComparison.Ordinal)) return m.Groups[1].Value;
        Assert.Fail($"no code block starting with '{start}'");
        return "";
    }

    /// <summary>Whitespace runs made single spaces, for comparing text wrapped differently.</summary>
    public static string Squeeze(string s) => Regex.Replace(s, @"\s+", " ").Trim();
}
