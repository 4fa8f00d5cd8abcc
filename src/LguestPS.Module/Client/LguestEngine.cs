using System;
using System.IO;

namespace LguestPS.Client;

/// <summary>Where the engine binary is: the module folder's, or the one $env:LGUESTPS_ENGINE names.</summary>
internal static class LguestEngine
{
    /// <summary>Names an engine binary to use instead of the one in the module folder.</summary>
    internal const string PathVariable = "LGUESTPS_ENGINE";

    /// <summary>The engine binary inside the module folder.</summary>
    internal static string BundledPath =>
        Path.Combine(Path.GetDirectoryName(typeof(LguestEngine).Assembly.Location) ?? ".", "bin", "lguest");

    /// <summary>$env:LGUESTPS_ENGINE when set, else bin/lguest beside the module.</summary>
    internal static string FindExecutable()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (File.Exists(fromEnv)) return Path.GetFullPath(fromEnv);
            throw LguestErrors.Fail("EngineNotFound",
                $"${PathVariable} names '{fromEnv}', which does not exist. Point it at a built lguest engine, or remove it to use the one in the module folder.");
        }
        string bundled = BundledPath;
        if (File.Exists(bundled)) return bundled;
        throw LguestErrors.Fail("EngineNotFound",
            $"The lguest engine is not at '{bundled}'. Build the module folder (./build.sh build, or ./build.ps1 in pwsh), or set ${PathVariable} to the engine's path.");
    }
}
