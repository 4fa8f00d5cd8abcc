using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using LguestPS.Contract;

namespace LguestPS.Module.Tests;

/*
 * The module speaks the engine's contract (src/LguestPS.Contract) and keeps
 * no copy of it: every error id and failing exit of the contract has its
 * errorId and category in LguestErrors, and no word of the contract (exit
 * reasons, error ids, event names and fields, option names) is typed as a
 * string in the module's source, where it could drift from the engine's.
 */
public class ModuleContractTests
{
    [Fact]
    public void EveryContractErrorIdAndFailingExitHasACategory()
    {
        Assert.Equal(ErrorIds.All.OrderBy(i => i), LguestErrors.EngineErrors.Keys.OrderBy(i => i));
        Assert.Equal(ExitReason.All.Where(r => r.Outcome == ExitOutcome.Failure).Select(r => r.Name).Order(),
            LguestErrors.FailedExits.Keys.Select(r => r.Name).Order());
        foreach (var id in ErrorIds.All) Assert.Contains(id.Name(), LguestErrors.AllErrorIds);
        foreach (var r in ExitReason.All.Where(r => r.FailureId != null)) Assert.Contains(r.FailureId!, LguestErrors.AllErrorIds);
    }

    [Fact]
    public void TheObviousIdsHaveTheObviousCategories()
    {
        Assert.Equal(ErrorCategory.ObjectNotFound, LguestErrors.CategoryOf(ErrorId.KernelNotFound.Name()));
        Assert.Equal(ErrorCategory.InvalidArgument, LguestErrors.CategoryOf(ErrorId.MemoryTooSmall.Name()));
        Assert.Equal(ErrorCategory.InvalidArgument, LguestErrors.CategoryOf(ErrorId.MemoryTooLarge.Name()));
        Assert.Equal(ErrorCategory.ResourceUnavailable, LguestErrors.CategoryOf(ErrorId.KvmUnavailable.Name()));
        Assert.Equal(ErrorCategory.PermissionDenied, LguestErrors.CategoryOf(ErrorId.PermissionDenied.Name()));
        Assert.Equal(ErrorCategory.LimitsExceeded, LguestErrors.CategoryOf(ErrorId.InitrdTooLarge.Name()));
        Assert.Equal(ErrorCategory.OperationStopped, LguestErrors.CategoryOf(ExitReason.TripleFault.FailureId!));
        Assert.Equal(ErrorCategory.NotImplemented, LguestErrors.CategoryOf(ExitReason.EmulationFailure.FailureId!));
        Assert.All(LguestErrors.AllErrorIds.Where(id => id is not ("InternalError" or "EngineStartFailed" or "EngineFailed" or "EngineCrashed")),
            id => Assert.NotEqual(ErrorCategory.NotSpecified, LguestErrors.CategoryOf(id)));
    }

    /// <summary>
    /// The contract's own words: exit reasons, the errorIds its exit table
    /// names, error ids, event names and the words event fields may hold, and
    /// options as written on a command line. (Bare field and option names are
    /// plain English too, "kernel", "initrd": field names are checked where
    /// the module reads fields instead.)
    /// </summary>
    private static HashSet<string> ContractWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in ExitReason.All)
        {
            words.Add(r.Name);
            if (r.FailureId != null) words.Add(r.FailureId);
        }
        foreach (var id in ErrorIds.All) words.Add(id.Name());
        foreach (var evt in typeof(Events).GetNestedTypes())
        {
            words.Add(Constant(evt, "Name"));
            foreach (var values in AllNested(evt))
                foreach (var f in StringConstants(values)) words.Add((string)f.GetRawConstantValue()!);
        }
        foreach (var f in StringConstants(typeof(OptionNames))) words.Add("--" + (string)f.GetRawConstantValue()!);
        return words;
    }

    private static IEnumerable<FieldInfo> StringConstants(Type t) =>
        t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string));

    private static string Constant(Type t, string name) => (string)t.GetField(name)!.GetRawConstantValue()!;

    private static IEnumerable<Type> AllNested(Type t) => t.GetNestedTypes().SelectMany(n => new[] { n }.Concat(AllNested(n)));

    /// <summary>Each line of the module's source that is code, not a comment.</summary>
    private static IEnumerable<(string Where, string Code)> ModuleCode()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Layout.Root, "src", "LguestPS.Module"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = lines[i].TrimStart();
                if (code.StartsWith("//") || code.StartsWith("*") || code.StartsWith("/*")) continue;
                yield return ($"{Path.GetRelativePath(Layout.Root, file)}:{i + 1}", lines[i]);
            }
        }
    }

    private static readonly Regex Literal = new(@"(?<![$@\w])""((?:[^""\\]|\\.)*)""");

    [Fact]
    public void TheModuleTypesNoWordOfTheContract()
    {
        var words = ContractWords();
        Assert.Contains(ExitReason.TripleFault.Name, words); // the reflection found the table...
        Assert.Contains(Events.Log.Levels.Warning, words);   // ...and the value words
        Assert.Contains("--" + OptionNames.Block, words);
        var found = ModuleCode()
            .SelectMany(l => Literal.Matches(l.Code).Where(m => words.Contains(m.Groups[1].Value)).Select(m => $"{l.Where}: {m.Value}"))
            .ToList();
        Assert.True(found.Count == 0, "contract words typed in the module (take them from LguestPS.Contract):\n" + string.Join("\n", found));
    }

    /// <summary>The module reads an event's fields by the contract's names (Events.*), never by a name typed again.</summary>
    [Fact]
    public void EventFieldsAreReadByTheContractsNames()
    {
        var access = new Regex(@"\.(?:GetString|GetNumber|GetBool|GetStrings)\(\s*""");
        var found = ModuleCode().Where(l => access.IsMatch(l.Code)).Select(l => $"{l.Where}: {l.Code.Trim()}").ToList();
        Assert.True(found.Count == 0, "event fields read by a typed name:\n" + string.Join("\n", found));
    }
}
