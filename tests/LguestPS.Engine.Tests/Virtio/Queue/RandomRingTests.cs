using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Tests.Virtio.Queue;

public sealed class RandomRingTests : IDisposable
{
    private readonly GuestMemory _mem = new(RingFuzzer.Ram);
    public void Dispose() => _mem.Dispose();

    private RingFuzzer.Outcome RunOne(byte[] bytes, string what)
    {
        try { return RingFuzzer.Run(_mem, bytes); }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {ex.GetType().Name} escaped the queue: {ex}");
        }
    }

    [Fact]
    public async Task SeededGarbageRingsYieldOnlyValidChainsOrViolations()
    {
        // Run on a worker with a deadline: a descriptor loop that hung the queue would fail here, not hang the run.
        var run = Task.Run(() =>
        {
            var rng = new Random(20240611);
            var bytes = new byte[16384];   // enough entropy for a full table, 256 indirect entries and the rounds
            int chains = 0, violations = 0;
            var rules = new HashSet<VqRule>();
            for (int iter = 0; iter < 20000; iter++)
            {
                rng.NextBytes(bytes);
                var o = RunOne(bytes, $"iteration {iter}");
                chains += o.Chains;
                if (o.Violation is { } rule) { violations++; rules.Add(rule); }
            }
            return (chains, violations, rules);
        });
        var first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(first == run, "the queue hung on a hostile ring");
        var (c, v, seen) = await run;
        // Both outcomes, and every data-path rule, must actually happen, or the fuzzer is not
        // reaching the code it claims to test.
        Assert.True(c > 5000, $"only {c} valid chains");
        Assert.True(v > 5000, $"only {v} violations");
        var configRules = new[] { VqRule.QueueSize, VqRule.RingAlignment, VqRule.RingOutsideRam, VqRule.ConfigWhileEnabled };
        foreach (var rule in Enum.GetValues<VqRule>().Except(configRules))
            Assert.Contains(rule, seen);
    }

    [Property(MaxTest = 2000)]
    public Property ArbitraryRingBytesNeverEscapeAsAnythingButAViolation(byte[] bytes)
    {
        var o = RunOne(bytes, "FsCheck case");
        return (o.Chains >= 0).ToProperty();
    }
}
