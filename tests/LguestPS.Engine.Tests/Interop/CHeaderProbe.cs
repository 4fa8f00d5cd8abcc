using System.Diagnostics;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>
/// Compiles a C program against the system's real headers and reads back the
/// "name value" lines it prints: how our mirrors of kernel structs and
/// constants are checked against the kernel's own definitions.
/// </summary>
internal static class CHeaderProbe
{
    public static Dictionary<string, long> Run(string name, string source)
    {
        string dir = Directory.CreateTempSubdirectory(name).FullName;
        string c = Path.Combine(dir, "probe.c"), exe = Path.Combine(dir, "probe");
        File.WriteAllText(c, source);
        Exec("gcc", $"-o {exe} {c}");
        var result = new Dictionary<string, long>();
        foreach (var line in Exec(exe, "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int sp = line.LastIndexOf(' ');
            result[line[..sp]] = long.Parse(line[(sp + 1)..]);
        }
        Directory.Delete(dir, true);
        return result;
    }

    private static string Exec(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} failed: {err.Result}");
        return output;
    }
}
