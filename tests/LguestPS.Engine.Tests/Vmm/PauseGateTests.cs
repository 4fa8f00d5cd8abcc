using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

/// <summary>The pause gate with real threads standing in for vCPU threads (their loop is VcpuRunner's: pass, then run).</summary>
public class PauseGateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed class FakeVcpus
    {
        public readonly PauseGate Gate;
        public readonly List<Thread> Threads = new();
        public long Runs;
        public int Unkicks;
        private volatile bool _stop;

        public FakeVcpus(int n)
        {
            Gate = new PauseGate(n, shut: false);
            for (int i = 0; i < n; i++)
            {
                var t = new Thread(() =>
                {
                    while (!_stop)
                    {
                        Gate.Pass(() => Interlocked.Increment(ref Unkicks));
                        Interlocked.Increment(ref Runs); // "KVM_RUN": returns at once, as a kicked vCPU does
                        Thread.Yield();
                    }
                }) { IsBackground = true };
                Threads.Add(t);
                t.Start();
            }
        }

        public void Stop()
        {
            _stop = true;
            Gate.Release();
            foreach (var t in Threads) Assert.True(t.Join(Timeout));
        }
    }

    [Fact]
    public void ShutReturnsOnlyWhenEveryVcpuWaitsAndNoneRunsUntilOpen()
    {
        var v = new FakeVcpus(4);
        Assert.True(v.Gate.Shut(() => { }));
        long frozen = Interlocked.Read(ref v.Runs);
        Assert.Equal(frozen, Interlocked.Read(ref v.Runs)); // all four wait at the gate, so nothing runs
        v.Gate.Open();
        // Each clears its kick once before entering again, and runs.
        SpinWait.SpinUntil(() => Volatile.Read(ref v.Unkicks) == 4 && Interlocked.Read(ref v.Runs) > frozen + 100, Timeout);
        Assert.True(Interlocked.Read(ref v.Runs) > frozen + 100, "the vCPUs did not run again after Open");
        Assert.Equal(4, Volatile.Read(ref v.Unkicks));
        v.Stop();
    }

    [Fact]
    public void AStopReleasesAPausedVmAndAPauseAfterAStopFails()
    {
        var v = new FakeVcpus(2);
        Assert.True(v.Gate.Shut(() => { }));
        v.Stop(); // joins the threads: the release let them out
        Assert.False(v.Gate.Shut(() => { }));
    }

    [Fact]
    public void AShutWaitingForVcpusThatNeverComeEndsWithTheStop()
    {
        var gate = new PauseGate(1, shut: false); // one vCPU that is stuck elsewhere and never reaches the gate
        var shut = Task.Run(() => gate.Shut(() => { }));
        Assert.False(shut.Wait(TimeSpan.FromMilliseconds(100)));
        gate.Release();
        Assert.True(shut.Wait(Timeout));
        Assert.False(shut.Result);
    }
}
