using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using LguestPS.Client;
using LguestPS.Contract;
using LguestPS.Session;

namespace LguestPS.Module.Tests;

/// <summary>The engine client's pieces on their own: JSON events, console lines, the pattern cursor, arguments.</summary>
public class EngineClientTests
{
    [Fact]
    public void ParsesTheEnginesReadyEvent()
    {
        var e = EngineEvent.Parse(FakeEngine.Json(Events.Ready.Name, 0.25,
            (Events.Ready.MemoryMB, 64), (Events.Ready.Cpus, 2), (Events.Ready.Kernel, "/k"), (Events.Ready.Format, Events.Ready.Formats.Elf),
            (Events.Ready.Devices, new[] { "rng", "block" }), (Events.Ready.Pvm, true)), TimeSpan.Zero);
        Assert.Equal(Events.Ready.Name, e.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(250), e.Time);
        Assert.Equal(64, e.GetNumber(Events.Ready.MemoryMB));
        Assert.Equal(new[] { "rng", "block" }, e.GetStrings(Events.Ready.Devices));
        Assert.True(e.GetBool(Events.Ready.Pvm));
        Assert.Contains("64 MiB, 2 vCPU(s), Elf /k, devices: rng, block (PVM host", e.Describe());
    }

    [Theory]
    [InlineData("""{"event":"error","time":1,"id":"KernelNotFound","message":"no \"k\"\n \u00e9\/"}""", "no \"k\"\n é/")]
    [InlineData("""  {"event" : "error" , "time":1e-3, "id":"KernelNotFound", "message":"x", "extra":{"a":[1,null,false]}}  """, "x")]
    public void ReadsJsonStringsAndNesting(string line, string message)
    {
        var e = EngineEvent.Parse(line, TimeSpan.Zero);
        Assert.Equal("error", e.Name);
        Assert.Equal("KernelNotFound", e.GetString("id"));
        Assert.Equal(message, e.GetString("message"));
    }

    [Theory]
    [InlineData("Unhandled exception. System.Exception: boom")]
    [InlineData("{\"event\":\"ready\"")]
    [InlineData("{\"time\":1}")]
    [InlineData("[1,2]")]
    [InlineData("{\"event\":\"x\"} trailing")]
    public void AnythingElseOnStderrIsText(string line)
    {
        var e = EngineEvent.Parse(line, TimeSpan.FromSeconds(3));
        Assert.Equal(EngineEvent.Text, e.Name);
        Assert.Equal(line, e.Describe());
        Assert.Equal(TimeSpan.FromSeconds(3), e.Time);
    }

    private static List<LguestConsoleLine> Feed(ConsoleLineSplitter s, string text)
    {
        var lines = new List<LguestConsoleLine>();
        var bytes = Encoding.UTF8.GetBytes(text);
        s.Feed(bytes, bytes.Length, TimeSpan.FromSeconds(1), lines);
        return lines;
    }

    [Fact]
    public void SplitsLinesAndDropsCarriageReturns()
    {
        var s = new ConsoleLineSplitter("vm");
        var lines = Feed(s, "one\r\ntwo\n\nthree");
        Assert.Equal(new[] { "one", "two", "" }, lines.Select(l => l.Text));
        Assert.Equal(new long[] { 1, 2, 3 }, lines.Select(l => l.LineNumber));
        Assert.All(lines, l => { Assert.Equal("vm", l.VmName); Assert.False(l.IsPartial); Assert.Equal(l.Text, l.ToString()); });
        var last = s.Finish();
        Assert.NotNull(last);
        Assert.Equal("three", last!.Text);
        Assert.True(last.IsPartial);
    }

    [Fact]
    public void KeepsAUtf8CharacterSplitBetweenReads()
    {
        var s = new ConsoleLineSplitter("vm");
        var bytes = Encoding.UTF8.GetBytes("héllo\n");
        var lines = new List<LguestConsoleLine>();
        s.Feed(bytes[..2], 2, TimeSpan.Zero, lines);
        s.Feed(bytes[2..], bytes.Length - 2, TimeSpan.Zero, lines);
        Assert.Equal("héllo", Assert.Single(lines).Text);
    }

    [Fact]
    public void AnUnfinishedLineIsPreviewedOnIdleAndDeliveredWholeWhenItEnds()
    {
        var s = new ConsoleLineSplitter("vm");
        Assert.Empty(Feed(s, "login: "));
        var preview = s.Idle();
        Assert.NotNull(preview);
        Assert.Equal("login: ", preview!.Text);
        Assert.True(preview.IsPartial);
        Assert.Null(s.Idle()); // nothing new since
        var whole = Assert.Single(Feed(s, "root\r\n"));
        Assert.Equal("login: root", whole.Text);
        Assert.False(whole.IsPartial);
        Assert.Equal(preview.LineNumber, whole.LineNumber);
        Assert.Null(s.Finish());
    }

    [Fact]
    public void AnEndlessLineIsCutSoMemoryStaysBounded()
    {
        var s = new ConsoleLineSplitter("vm");
        var lines = Feed(s, new string('x', ConsoleLineSplitter.MaxLineChars + 10) + "\n");
        Assert.Equal(2, lines.Count);
        Assert.True(lines[0].IsPartial);
        Assert.Equal(ConsoleLineSplitter.MaxLineChars, lines[0].Text.Length);
        Assert.Equal(10, lines[1].Text.Length);
    }

    private static LguestConsoleLine Line(long n, string text, bool partial = false) => new("vm", n, TimeSpan.Zero, text, partial);

    [Fact]
    public void PatternWaitsWalkForwardLikeExpect()
    {
        var h = new ConsoleHistory();
        h.Add(Line(1, "boot"));
        h.Add(Line(2, "login: ", partial: true));
        var re = new Regex("login:");
        Assert.Equal(2, h.WaitForMatch(re, TimeSpan.Zero, default, out _)!.LineNumber);
        // The same prompt, completed by the echo of what was typed, must not match again.
        h.Add(Line(2, "login: root"));
        Assert.Null(h.WaitForMatch(re, TimeSpan.Zero, default, out bool ended));
        Assert.False(ended);
        Assert.Equal("login: root", h.WaitForMatch(new Regex("root"), TimeSpan.Zero, default, out _)!.Text);
        h.Add(Line(3, "login: again"));
        Assert.Equal(3, h.WaitForMatch(re, TimeSpan.Zero, default, out _)!.LineNumber);
    }

    [Fact]
    public void AnAnchoredPatternDoesNotMatchTheRestOfALine()
    {
        var h = new ConsoleHistory();
        h.Add(Line(1, "ECHO ECHO x"));
        var re = new Regex("^ECHO");
        Assert.NotNull(h.WaitForMatch(re, TimeSpan.Zero, default, out _));
        Assert.Null(h.WaitForMatch(re, TimeSpan.Zero, default, out _));
    }

    /// <summary>Waits until a pattern wait is blocked on the history, so what the test adds next arrives while it waits.</summary>
    private static void UntilWaiting(ConsoleHistory h, Task waiter) =>
        Assert.True(SpinWait.SpinUntil(() => h.Waiters == 1 || waiter.IsCompleted, TimeSpan.FromSeconds(10)) && !waiter.IsCompleted,
            "the pattern wait never blocked");

    [Fact]
    public async Task APatternWaitSeesLinesThatArriveAndEndsWithTheRun()
    {
        var h = new ConsoleHistory();
        h.Add(Line(1, "booting"));
        var t = Task.Run(() => h.WaitForMatch(new Regex("READY"), TimeSpan.FromSeconds(30), default, out _));
        UntilWaiting(h, t);
        h.Add(Line(2, "READY serial"));
        Assert.Equal("READY serial", (await t)!.Text);

        var waiting = Task.Run(() => { var l = h.WaitForMatch(new Regex("never"), TimeSpan.FromSeconds(30), default, out bool ended); return (l, ended); });
        UntilWaiting(h, waiting);
        h.Close();
        Assert.Equal((null, true), await waiting);
    }

    [Fact]
    public async Task APatternWaitCanBeCancelled()
    {
        var h = new ConsoleHistory();
        using var cancel = new CancellationTokenSource();
        var waiting = Task.Run(() => { var l = h.WaitForMatch(new Regex("never"), Timeout.InfiniteTimeSpan, cancel.Token, out bool ended); return (l, ended); });
        UntilWaiting(h, waiting);
        cancel.Cancel();
        Assert.Equal((null, false), await waiting);
    }

    /// <summary>The argv the module builds, read back by the engine's own parser (the contract's), says what the VM says.</summary>
    [Fact]
    public void BuildsTheEngineCommandLine()
    {
        var vm = new LguestVm("vm", 64, 2, "/k/vmlinuz", "/k/initrd", "console=hvc0  root=\"/dev/vda 1\"", LguestRebootAction.Exit, null, null);
        vm.AddDevice(new LguestRng());
        vm.AddDevice(new LguestBlockDevice("/d/a.img", readOnly: true, 512));
        vm.AddDevice(new LguestBlockDevice("/d/b,ro", readOnly: false, 512));
        vm.AddDevice(new LguestTapNetwork("169.254.1.1", null, "52:54:00:00:00:01"));
        vm.AddDevice(new LguestTapNetwork(null, "br0", null));
        var cl = EngineCommandLine.Parse(EngineArguments.For(vm, verbose: true));
        Assert.Equal((LogFormat.Json, true, RebootPolicy.Exit, 2, "/k/initrd", true, 64UL, "/k/vmlinuz", true, true),
            (cl.LogFormat, cl.Verbose, cl.OnReboot, cl.Cpus, cl.Initrd, cl.Rng, cl.MemoryMiB, cl.Kernel, cl.HostQuirks, cl.Sandbox));
        Assert.Equal(new[] { new BlockOption("/d/a.img", true), new BlockOption("/d/b,ro", false) }, cl.Blocks);
        // The host side's prefix is always written out: the module's default (/24) is the module's to document.
        Assert.Equal(new[] { new TunnetOption("169.254.1.1/24", null, "52:54:00:00:00:01"), new TunnetOption(null, "br0", null) }, cl.Tunnets);
        // The engine stops when this process ends (--parent-pid: it arms its own death signal; no launcher).
        Assert.Equal(Environment.ProcessId, cl.ParentPid);
        // The kernel command line arrives as one argument, exactly as written.
        Assert.Equal(new[] { "console=hvc0  root=\"/dev/vda 1\"" }, cl.KernelArgs);
    }

    [Fact]
    public void AnEmptyCommandLineAddsNoArgument()
    {
        var vm = new LguestVm("vm", 64, 1, "/k", null, "", LguestRebootAction.Restart, "nobody", "/srv", hostQuirks: false, sandbox: false);
        var argv = EngineArguments.For(vm, verbose: false);
        Assert.Contains("--no-sandbox", argv);
        Assert.Equal("/k", argv[^1]);
        var cl = EngineCommandLine.Parse(argv);
        Assert.Equal((false, RebootPolicy.Restart, 1, "nobody", "/srv", false, false, false), (cl.Verbose, cl.OnReboot, cl.Cpus, cl.Username, cl.Chroot, cl.HostQuirks, cl.Rng, cl.Sandbox));
        Assert.Empty(cl.KernelArgs);
    }

    /// <summary>Every way a run ends: each row of the contract's exit table, with and without an engine error id, and the deaths the engine cannot report.</summary>
    public static TheoryData<int, string, string?> Ends()
    {
        var data = new TheoryData<int, string, string?>();
        foreach (var r in ExitReason.All)
        {
            data.Add(r.Code, r.Name, null);
            if (r.Outcome == ExitOutcome.Failure) data.Add(r.Code, r.Name, ErrorId.InternalError.Name());
        }
        data.Add(137, EngineExit.Killed, null);
        data.Add(139, EngineExit.Crashed, null);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public void ClassifiesEveryWayARunEnds(int code, string reason, string? errorEventId)
    {
        var exit = new EngineExit(code, reason, "what happened", errorEventId, errorEventId == null ? null : "the engine's words", false, TimeSpan.Zero);
        var row = ExitReason.FromName(reason);
        var expected = row?.Outcome switch
        {
            ExitOutcome.Clean => RunOutcome.Completed,
            ExitOutcome.Stop => RunOutcome.Stopped,
            _ => RunOutcome.Failed,
        };
        Assert.Equal(expected, exit.Outcome);
        var error = exit.ToError("vm");
        if (expected != RunOutcome.Failed)
        {
            Assert.Null(error);
            return;
        }
        Assert.Equal(errorEventId ?? row?.FailureId ?? (reason == EngineExit.Killed ? "EngineKilled" : "EngineCrashed"), error!.ErrorId);
        Assert.Contains(errorEventId == null ? "what happened" : "the engine's words", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void AStopWeAskedForIsStoppedWhateverTheExitCode()
    {
        var exit = new EngineExit(137, EngineExit.Killed, "", null, null, stopRequested: true, TimeSpan.Zero);
        Assert.Equal(RunOutcome.Stopped, exit.Outcome);
        Assert.Null(exit.ToError("vm"));
        // ...but a guest that had powered off by then completed.
        var clean = new EngineExit(ExitReason.PowerOff.Code, ExitReason.PowerOff.Name, "", null, null, stopRequested: true, TimeSpan.Zero);
        Assert.Equal(RunOutcome.Completed, clean.Outcome);
    }

    /// <summary>A newer engine's reason word this module does not know is read by its code.</summary>
    [Fact]
    public void AnUnknownReasonWordIsReadByItsCode()
    {
        var exit = new EngineExit(ExitReason.TripleFault.Code, "some-new-fault", "m", null, null, false, TimeSpan.Zero);
        Assert.Equal(RunOutcome.Failed, exit.Outcome);
        Assert.Equal(ExitReason.TripleFault.FailureId, exit.ToError("vm")!.ErrorId);
        Assert.Contains("some-new-fault", exit.ToError("vm")!.Message);
    }

    /// <summary>An engine that died without its exit event: the reason comes from its exit code, by the contract's table.</summary>
    [Fact]
    public void ASilentEngineIsReadByItsExitCode()
    {
        foreach (var code in ExitReason.All.Select(r => r.Code).Distinct())
            Assert.Equal(ExitReason.FromCode(code)!.Name, EngineExit.ReasonForCode(code));
        Assert.Equal(EngineExit.Killed, EngineExit.ReasonForCode(137));
        Assert.Equal(EngineExit.Crashed, EngineExit.ReasonForCode(139));
        Assert.Equal(EngineExit.Crashed, EngineExit.ReasonForCode(6)); // retired: once bad-driver
    }
}
