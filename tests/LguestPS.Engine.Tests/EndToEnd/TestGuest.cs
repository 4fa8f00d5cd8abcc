using System.Text.RegularExpressions;

namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>Where the project's own test guest lives (built by make -C tests/guest before the tests build).</summary>
public static class TestGuest
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string BzImage => Path.Combine(RepoRoot, "tests/guest/build/guest.bzImage");
    public static string Elf => Path.Combine(RepoRoot, "tests/guest/build/guest.elf");

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LguestPS.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (LguestPS.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>The guest's verdicts: name → (ok, detail).</summary>
    public static Dictionary<string, (bool Ok, string Detail)> Results(string console)
    {
        var r = new Dictionary<string, (bool, string)>();
        foreach (Match m in Regex.Matches(console, @"^TEST (\S+): (ok|FAIL)(.*)$", RegexOptions.Multiline))
            r[m.Groups[1].Value] = (m.Groups[2].Value == "ok", m.Groups[3].Value.Trim());
        return r;
    }

    /// <summary>Asserts each named test ran and passed, showing the whole console when one did not.</summary>
    public static void AssertPassed(string console, params string[] names)
    {
        var r = Results(console);
        foreach (var n in names)
        {
            Assert.True(r.ContainsKey(n), $"guest test '{n}' did not run.\n{console}");
            Assert.True(r[n].Ok, $"guest test '{n}' failed: {r[n].Detail}\n{console}");
        }
        Assert.DoesNotContain(r, kv => !kv.Value.Ok);
    }

    /// <summary>Appends guest.cmdsum=..., the checksum of everything before it, as the guest's cmdline test expects.</summary>
    public static string[] WithCmdSum(params string[] args)
    {
        string line = string.Join(' ', args);
        return [.. args, "guest.cmdsum=" + Sum64.Hex(System.Text.Encoding.UTF8.GetBytes(line))];
    }
}
