using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace LguestPS.Host;

/// <summary>Opens a runspace with the LguestPS module imported, the way the tool and the tests both need it.</summary>
public static class ModuleSession
{
    /// <summary>
    /// The module manifest to import: $env:LGUESTPS_MODULE, else the built
    /// module folder beside this tool (out/host/../LguestPS), else out/LguestPS
    /// under the current directory or one of its parents.
    /// </summary>
    public static string? FindManifest()
    {
        var fromEnv = Environment.GetEnvironmentVariable("LGUESTPS_MODULE");
        if (!string.IsNullOrEmpty(fromEnv))
            return Directory.Exists(fromEnv) ? Path.Combine(fromEnv, "LguestPS.psd1") : fromEnv;
        var beside = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "LguestPS", "LguestPS.psd1"));
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "out", "LguestPS", "LguestPS.psd1");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// A runspace over the default session state (the only one that works with
    /// System.Management.Automation alone), with the module imported when a
    /// manifest is given.
    /// </summary>
    public static Runspace Open(PSHost host, string? manifest)
    {
        var iss = InitialSessionState.CreateDefault2();
        if (manifest != null) iss.ImportPSModule(new[] { manifest });
        iss.ThrowOnRunspaceOpenError = true;
        var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        return runspace;
    }
}
