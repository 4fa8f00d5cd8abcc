using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Diagnostics;

namespace LguestPS;

/// <summary>Runs a host program (busybox, mke2fs) with its arguments passed verbatim, and collects what it said.</summary>
internal static class HostCommand
{
    internal sealed class Result
    {
        internal Result(int exitCode, string output, string error)
        {
            ExitCode = exitCode;
            Output = output;
            Error = error;
        }

        internal int ExitCode { get; }
        internal string Output { get; }
        internal string Error { get; }
    }

    /// <summary>Runs the program to its end. Throws Win32Exception when it cannot be started.</summary>
    internal static Result Run(string file, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        AddArguments(psi, arguments);
        using var process = Process.Start(psi) ?? throw new Win32Exception($"{file} did not start");
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, output, error.Result);
    }

    /// <summary>
    /// ProcessStartInfo.ArgumentList passes each argument verbatim (no quoting
    /// rules to get wrong for paths with spaces or quotes). .NET Standard 2.0
    /// does not declare it, but every runtime PowerShell 7 runs on has it.
    /// </summary>
    internal static void AddArguments(ProcessStartInfo psi, IEnumerable<string> arguments)
    {
        var list = typeof(ProcessStartInfo).GetProperty("ArgumentList")?.GetValue(psi) as Collection<string>
            ?? throw new PlatformNotSupportedException("LguestPS needs PowerShell 7 (.NET with ProcessStartInfo.ArgumentList).");
        foreach (var a in arguments) list.Add(a);
    }
}
