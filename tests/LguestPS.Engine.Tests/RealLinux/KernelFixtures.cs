using System.Diagnostics;

namespace LguestPS.Engine.Tests.RealLinux;

/// <summary>
/// Runs a fixture script from tests/fixtures (which builds or downloads into
/// the user's cache, instantly when cached) and returns its KEY=/path lines.
/// </summary>
public static class FixtureScript
{
    public static Dictionary<string, string> Run(string relativePath, TimeSpan timeout)
    {
        string script = Path.Combine(EndToEnd.TestGuest.RepoRoot, relativePath);
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(true);
            throw new TimeoutException($"{relativePath} did not finish in {timeout}");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{relativePath} failed (exit {p.ExitCode}):\n{err.Result}");
        return output.Split('\n').Where(l => l.Contains('=') && l.Contains('/'))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());
    }
}

/// <summary>
/// The minimal Linux of tests/fixtures/minimal-kernel, built on first use (cached across runs): the tests
/// check for /dev/kvm first, so a host without it skips at once instead of building a kernel to skip.
/// </summary>
public sealed class MinimalKernelFixture
{
    public string Vmlinux { get; }
    public string BzImage { get; }
    public TimeSpan BuildTime { get; }
    private readonly string _config;

    public MinimalKernelFixture()
    {
        var sw = Stopwatch.StartNew();
        var products = FixtureScript.Run("tests/fixtures/minimal-kernel/build.sh", TimeSpan.FromMinutes(30));
        Vmlinux = products["VMLINUX"];
        BzImage = products["BZIMAGE"];
        _config = products.TryGetValue("CONFIG", out var c) && File.Exists(c) ? File.ReadAllText(c) : "";
        BuildTime = sw.Elapsed;
    }

    /// <summary>Skips, saying which, unless the kernel was built with every one of these options (=y).</summary>
    public void Require(params string[] options)
    {
        var missing = options.Where(o => !_config.Contains($"\n{o}=y\n")).ToList();
        Skip.If(missing.Count > 0, $"SKIPPED: the minimal kernel fixture lacks {string.Join(", ", missing)} (tests/fixtures/minimal-kernel/minimal.config)");
    }
}
