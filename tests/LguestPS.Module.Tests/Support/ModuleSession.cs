using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace LguestPS.Module.Tests;

/// <summary>Opens an in-process runspace with the LguestPS module imported.</summary>
public static class ModuleSession
{
    /// <summary>
    /// A runspace over the default session state (the only one that works with
    /// System.Management.Automation alone), with the module imported.
    /// </summary>
    public static Runspace Open(PSHost host, string manifest)
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { manifest });
        iss.ThrowOnRunspaceOpenError = true;
        var runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        return runspace;
    }
}
