using System.Reflection;
using System.Runtime.CompilerServices;

namespace LguestPS.Module.Tests;

/*
 * The module's layers, each using only those below it:
 *
 *   Model (LguestVm, devices, console lines, LguestErrors)
 *     <- Client (the engine process, its pipes and events)
 *     <- Session (a runspace's VMs; a run and its console)
 *     <- Jobs (LguestVmJob) <- Commands (the cmdlets)
 *
 * so a VM knows nothing of its runs, the engine client nothing of jobs, and
 * no two layers import each other. Below them all, the engine's contract
 * (src/LguestPS.Contract, compiled in as source); nothing of the engine itself.
 */
public class ModuleLayersTests
{
    private static readonly string[] Layers = { "Contract", "Model", "Client", "Session", "Jobs", "Commands" };

    private static readonly Assembly TheModule = typeof(LguestVm).Assembly;

    /// <summary>The layer a module type belongs to: its namespace, or for the public types at the top of the namespace, Model (and Jobs for the job).</summary>
    private static string? LayerOf(Type type)
    {
        while (type.DeclaringType != null) type = type.DeclaringType;
        if (type.Assembly != TheModule) return null;
        return type.Namespace switch
        {
            "LguestPS" when type == typeof(LguestVmJob) => "Jobs",
            "LguestPS" => "Model",
            { } ns when ns.StartsWith("LguestPS.", StringComparison.Ordinal) => ns["LguestPS.".Length..],
            _ => null,
        };
    }

    private static IEnumerable<Type> ModuleTypes =>
        TheModule.GetTypes().Where(t => t.DeclaringType == null && t.GetCustomAttribute<CompilerGeneratedAttribute>() == null);

    [Fact]
    public void EveryTypeIsInALayer()
    {
        foreach (var t in ModuleTypes)
            Assert.True(LayerOf(t) is { } l && Layers.Contains(l), $"{t.FullName} is in no layer ({LayerOf(t)})");
    }

    [Fact]
    public void EachLayerUsesOnlyTheLayersBelowIt()
    {
        var wrong = new List<string>();
        foreach (var t in ModuleTypes)
        {
            int rank = Array.IndexOf(Layers, LayerOf(t));
            foreach (var used in TypeReferences.Of(t))
                if (LayerOf(used) is { } l && Array.IndexOf(Layers, l) > rank)
                    wrong.Add($"{t.FullName} ({LayerOf(t)}) uses {used.FullName} ({l})");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Distinct()));
    }

    [Fact]
    public void TheModuleReferencesNothingOfTheEngine()
    {
        var references = TheModule.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("System.Management.Automation", references);
        Assert.DoesNotContain(references, r => r!.StartsWith("LguestPS", StringComparison.Ordinal));
        Assert.DoesNotContain(TheModule.GetTypes(), t => t.Namespace?.StartsWith("LguestPS.Engine", StringComparison.Ordinal) == true);
    }

    /// <summary>The scanner itself: it must see a use that only a method body makes, or the test above proves nothing.</summary>
    [Fact]
    public void TheScannerSeesUsesInsideMethodBodies()
    {
        var used = TypeReferences.Of(TheModule.GetType("LguestPS.Commands.SendLguestVmConsoleCommand")!).ToList();
        Assert.Contains(TheModule.GetType("LguestPS.Session.VmRun"), used);
        Assert.Contains(typeof(LguestErrors), TypeReferences.Of(TheModule.GetType("LguestPS.Client.EngineLauncher")!));
    }
}
