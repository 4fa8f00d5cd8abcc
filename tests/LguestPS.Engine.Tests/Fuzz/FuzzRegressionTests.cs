using LguestPS.Engine.Tests.EndToEnd;
using LguestPS.Engine.Tests.Virtio.Net;
using LguestPS.Engine.Virtio.Net;
using LguestPS.Fuzz;

namespace LguestPS.Engine.Tests.Fuzz;

/*
 * The fuzzing targets (tests/fuzz, run by bench/fuzz.sh) replayed on every
 * committed input: the seed corpus, and each crash a campaign found
 * (tests/fuzz/crashes/<target>), kept once fixed as a regression test. The
 * same target code runs here and under afl-fuzz, so an input that failed
 * there fails here until the engine is fixed.
 */
public sealed class FuzzRegressionTests
{
    private static string Dir(string kind, string target) => Path.Combine(TestGuest.RepoRoot, "tests/fuzz", kind, target);

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    private static IEnumerable<string> Inputs(string target) =>
        new[] { "corpus", "crashes" }.Select(k => Dir(k, target)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles).Order();

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public void EveryCommittedInputRunsClean(string target)
    {
        NetNamespace? ns = target == "net" ? NetTestEnv.Namespace() : null;
        try
        {
            var t = FuzzTargets.Create(target, () => ns!.Run(() => TapDevice.Create(Ipv4Net.Parse("169.254.99.1", "fuzz"), null, "fuzz")));
            var inputs = Inputs(target).ToList();
            Assert.NotEmpty(inputs);
            foreach (var f in inputs)
            {
                try { t.Run(File.ReadAllBytes(f)); }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"{target}: {f}: {e}"); }
            }
            (t as IDisposable)?.Dispose();
        }
        finally
        {
            ns?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void TheCommittedSeedsAreWhatSeedsCsWrites(string target)
    {
        // bench/fuzz.sh --seeds rewrites them; a change of input format must come with new seeds.
        foreach (var (name, data) in Seeds.For(target))
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(Dir("corpus", target), name)));
        Assert.Equal(Seeds.For(target).Count(), Directory.GetFiles(Dir("corpus", target)).Length);
    }
}
