using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace LguestPS.Module.Tests;

/// <summary>Where the assembled module, the engine, the test guest and the docs are.</summary>
internal static class Layout
{
    internal static readonly string Root = typeof(Layout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LguestRoot").Value!;

    internal static string ModuleDir => Path.Combine(Root, "out", "LguestPS");
    internal static string Manifest => Path.Combine(ModuleDir, "LguestPS.psd1");
    internal static string ModuleDll => Path.Combine(ModuleDir, "LguestPS.Module.dll");
    internal static string HelpFile => Path.Combine(ModuleDir, "en-US", "LguestPS.Module.dll-Help.xml");
    internal static string Engine => Path.Combine(ModuleDir, "bin", "lguest");
    internal static string GuestDir => Path.Combine(Root, "tests", "guest", "build");
    internal static string GuestBzImage => Path.Combine(GuestDir, "guest.bzImage");
    internal static string GuestElf => Path.Combine(GuestDir, "guest.elf");
    internal static string DocsDir => Path.Combine(Root, "docs", "cmdlets");

    internal const string KvmDevice = "/dev/kvm";
    internal static bool HasKvm => File.Exists(KvmDevice);

    /// <summary>End-to-end tests need KVM and nothing else: a missing engine or guest is a build failure, not a skip.</summary>
    internal static void RequireKvm() =>
        Skip.IfNot(HasKvm, $"{KvmDevice} is absent on this host, so no VM can run here (the end-to-end tests boot the test guest on KVM).");

    internal static void RequireBuilt()
    {
        Assert.True(File.Exists(Engine), $"The engine {Engine} was not built: build/LguestPS.Layout.targets publishes it when this test project builds.");
        Assert.True(File.Exists(GuestBzImage), $"The test guest {GuestBzImage} was not built: the build runs make -C tests/guest (is tests/guest on this branch?).");
    }
}

/// <summary>
/// The tests compile against LguestPS.Module but do not copy it: the one copy
/// loaded is the assembled module's, the same one Import-Module loads, so
/// internal types seen by the tests and the cmdlets seen by PowerShell are the same.
/// </summary>
internal static class ModuleAssembly
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name == "LguestPS.Module" && File.Exists(Layout.ModuleDll) ? context.LoadFromAssemblyPath(Layout.ModuleDll) : null;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineCollection
{
    /// <summary>Tests that start engines share $env:LGUESTPS_ENGINE and the CPU: one at a time.</summary>
    public const string Name = "Engine processes";
}
