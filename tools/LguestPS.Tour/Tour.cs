using System.Text;
using System.Text.RegularExpressions;

namespace LguestPS.Tour;

/// <summary>One stop: its number, where it is, the comment's text and the line of code it sits above.</summary>
public sealed record Stop(int Number, string File, int Line, string Part, string Text, string Code);

/*
 * Reading the stops out of the sources and writing them down. A stop is a
 * comment that opens with "/*L:" and three digits, on a line of its own
 * (a mention of a stop inside prose, like the seed's "L:217", is not one).
 */
public static class Tour
{
    public const string EngineDir = "src/LguestPS.Engine", Document = "docs/tour.md";
    private static readonly Regex Opening = new(@"^(\s*)/\*L:(\d{3})\s*$");

    /// <summary>Every stop in the engine's sources, in reading order (listed files first, then any others by path).</summary>
    public static List<Stop> Read(string repoRoot)
    {
        string engine = Path.Combine(repoRoot, EngineDir);
        var listed = TourOrder.Files.ToList();
        var all = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(engine, f))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/"))
            .ToList();
        var order = listed.Where(all.Contains).Concat(all.Except(listed).Order());
        var part = TourOrder.Parts.SelectMany(p => p.Files.Select(f => (f, p.Part))).ToDictionary(x => x.f, x => x.Part);
        var stops = new List<Stop>();
        foreach (var file in order)
        {
            var lines = File.ReadAllLines(Path.Combine(engine, file));
            for (int i = 0; i < lines.Length; i++)
            {
                var m = Opening.Match(lines[i]);
                if (!m.Success) continue;
                int start = i;
                var text = new List<string>();
                while (++i < lines.Length && !lines[i].TrimStart().StartsWith("*/"))
                    text.Add(Regex.Replace(lines[i], @"^\s*\* ?", ""));
                // The code the stop explains: the first line after it that is neither a doc comment nor an attribute.
                string code = lines.Skip(i + 1).Select(l => l.Trim())
                    .FirstOrDefault(l => l.Length > 0 && !l.StartsWith("///") && !l.StartsWith('[')) ?? "";
                stops.Add(new Stop(int.Parse(m.Groups[2].Value), file, start + 1, part.GetValueOrDefault(file, "Not yet placed"),
                    string.Join('\n', text).Trim(), code));
            }
        }
        return stops;
    }

    /// <summary>What is wrong with the tour: numbers used twice or out of reading order, files missing from TourOrder or gone.</summary>
    public static List<string> Check(string repoRoot, IReadOnlyList<Stop> stops)
    {
        var problems = new List<string>();
        foreach (var dup in stops.GroupBy(s => s.Number).Where(g => g.Count() > 1))
            problems.Add($"L:{dup.Key:D3} is used {dup.Count()} times: {string.Join(", ", dup.Select(s => $"{s.File}:{s.Line}"))}");
        for (int i = 1; i < stops.Count; i++)
            if (stops[i].Number <= stops[i - 1].Number && stops[i].Number != stops[i - 1].Number)
                problems.Add($"L:{stops[i].Number:D3} ({stops[i].File}:{stops[i].Line}) is read after L:{stops[i - 1].Number:D3} ({stops[i - 1].File}:{stops[i - 1].Line})");
        foreach (var file in stops.Select(s => s.File).Distinct().Where(f => !TourOrder.Files.Contains(f)))
            problems.Add($"{file} has tour stops but no place in TourOrder (tools/LguestPS.Tour/TourOrder.cs)");
        foreach (var file in TourOrder.Files.Where(f => !stops.Any(s => s.File == f)))
            problems.Add($"TourOrder lists {file}, which has no tour stop{(File.Exists(Path.Combine(repoRoot, EngineDir, file)) ? "" : " (it does not exist)")}");
        return problems;
    }

    /// <summary>docs/tour.md, from the stops.</summary>
    public static string Generate(IReadOnlyList<Stop> stops)
    {
        var md = new StringBuilder();
        md.Append("""
            # A guided tour of the `lguest` engine

            The engine's source carries a tour in the seed's manner: numbered
            comments, `/*L:nnn ... */`, that explain why the code below them is as
            it is. Read in order, they tell how a Linux guest comes to run. This
            page is those comments, collected in reading order; it is generated,
            so edit the sources and run `tools/tour.sh` (the engine tests fail
            while this page is out of date).

            """);
        md.Append('\n');
        foreach (var group in stops.GroupBy(s => s.Part))
            md.Append($"- [{group.Key}](#{Anchor(group.Key)}): L:{group.First().Number:D3} to L:{group.Last().Number:D3}\n");
        foreach (var group in stops.GroupBy(s => s.Part))
        {
            md.Append($"\n## {group.Key}\n");
            foreach (var s in group)
            {
                md.Append($"\n### L:{s.Number:D3} [{s.File}](../{EngineDir}/{s.File}#L{s.Line})\n\n");
                md.Append(s.Text).Append('\n');
                if (s.Code.Length > 0) md.Append($"\n```csharp\n{s.Code}\n```\n");
            }
        }
        return md.ToString();
    }

    private static string Anchor(string heading) => Regex.Replace(heading.ToLowerInvariant(), @"[^a-z0-9 -]", "").Replace(' ', '-');

    /// <summary>Gives the stops the numbers 0, 10, 20, ... in reading order, rewriting the sources; returns how many changed.</summary>
    public static int Renumber(string repoRoot)
    {
        var stops = Read(repoRoot);
        int changed = 0;
        foreach (var file in stops.GroupBy(s => s.File))
        {
            string path = Path.Combine(repoRoot, EngineDir, file.Key);
            var lines = File.ReadAllLines(path);
            int before = changed;
            foreach (var s in file)
            {
                int n = stops.IndexOf(s) * 10;
                if (n > 999) throw new InvalidOperationException("more than 100 stops: widen the numbers");
                string renumbered = Opening.Replace(lines[s.Line - 1], m => $"{m.Groups[1].Value}/*L:{n:D3}");
                if (renumbered != lines[s.Line - 1]) { lines[s.Line - 1] = renumbered; changed++; }
            }
            if (changed != before) File.WriteAllText(path, string.Join('\n', lines) + "\n");
        }
        return changed;
    }
}
