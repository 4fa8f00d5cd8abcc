using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.Architecture;

/*
 * STYLE.md: `unsafe` on the members that need it, never on a whole class,
 * each with a "// SAFETY:" line saying why it holds; system calls through
 * Interop's checked wrappers, never a raw syscall(2) number.
 */
public class UnsafeCodeTests
{
    private static IEnumerable<(string Path, string[] Lines)> Sources() =>
        EngineSources.Files("LguestPS.Engine").Select(f => (f.Path, f.Text.Split('\n')));

    /// <summary>Kernel struct mirrors keep their C names and may be unsafe as a whole: their fixed buffers are the layout.</summary>
    private static readonly Regex UnsafeType = new(@"^\s*(?:\w+\s+)*unsafe\s+(?:\w+\s+)*(class|struct|record|interface)\s+(\w+)");

    [Fact]
    public void NoTypeIsUnsafeAsAWhole()
    {
        var wrong = from f in Sources()
                    from line in f.Lines.Select((l, i) => (Text: l, No: i + 1))
                    let m = UnsafeType.Match(line.Text)
                    where m.Success && !(m.Groups[1].Value == "struct" && char.IsLower(m.Groups[2].Value[0]))
                    select $"{f.Path}:{line.No}: {m.Groups[2].Value} is unsafe as a whole: mark the members that need it";
        Assert.Empty(wrong);
    }

    [Fact]
    public void EveryUnsafeMemberSaysWhyItIsSafe()
    {
        var missing = new List<string>();
        int members = 0;
        foreach (var (path, lines) in Sources())
            for (int i = 0; i < lines.Length; i++)
            {
                string t = lines[i].TrimStart();
                if (t.StartsWith("//") || t.StartsWith('*') || !Regex.IsMatch(t, @"\bunsafe\b") || UnsafeType.IsMatch(t)) continue;
                if (Regex.IsMatch(t, @"\bunsafe\s+fixed\b")) continue; // a fixed buffer in a kernel struct: layout, not code
                members++;
                int j = i - 1;
                while (j >= 0 && (lines[j].TrimStart().StartsWith("///") || lines[j].TrimStart().StartsWith('['))) j--;
                bool said = false;
                for (; j >= 0 && lines[j].TrimStart().StartsWith("//"); j--)
                    said |= lines[j].Contains("// SAFETY:");
                if (!said) missing.Add($"{path}:{i + 1}: {t.Trim()}");
            }
        Assert.True(members > 20, $"only {members} unsafe members found: is the scan broken?");
        Assert.True(missing.Count == 0, "unsafe members without a // SAFETY: line above them:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void SystemCallsGoThroughCheckedWrappers()
    {
        var raw = from f in Sources()
                  let code = EngineSources.Code(string.Join('\n', f.Lines))
                  from m in Regex.Matches(code, @"\b(syscall|fdatasync|fsync)\s*\(").Cast<Match>()
                  where !(f.Path == "Interop/Sys.cs" && m.Groups[1].Value != "syscall")
                  select $"{f.Path}: {m.Groups[1].Value}(...) outside Interop/Sys.cs's checked wrappers";
        Assert.Empty(raw);
    }
}
