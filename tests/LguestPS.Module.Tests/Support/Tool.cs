using System.Diagnostics;

namespace LguestPS.Module.Tests;

/// <summary>Runs a host program (cpio, debugfs, sha256sum...) that checks our work independently of our code.</summary>
internal static class Tool
{
    internal sealed record Result(int ExitCode, string Output, string Error)
    {
        internal Result Ok()
        {
            Assert.True(ExitCode == 0, $"exit {ExitCode}: {Error}{Output}");
            return this;
        }
    }

    internal static Result Run(string file, IEnumerable<string> args, string? stdinFile = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdin = Task.Run(() =>
        {
            if (stdinFile != null) using (var f = File.OpenRead(stdinFile)) f.CopyTo(p.StandardInput.BaseStream);
            p.StandardInput.Close();
        });
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), $"{file} did not finish in 2 minutes");
        stdin.Wait();
        return new Result(p.ExitCode, output, err.Result);
    }

    internal static Result Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);
}
