using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using LguestPS.Client;
using LguestPS.Session;

namespace LguestPS.Module.Tests;

/// <summary>The engine client's pieces on their own: JSON events, console lines, the pattern cursor, arguments.</summary>
public class EngineClientTests
{
    [Fact]
    public void ParsesTheEnginesReadyEvent()
    {
        var e = EngineEvent.Parse("""{"event":"ready","time":0.25,"memoryMB":64,"cpus":2,"kernel":"/k","format":"elf","devices":["rng","block"],"pvm":true}""", TimeSpan.Zero);
        Assert.Equal("ready", e.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(250), e.Time);
        Assert.Equal(64, e.GetNumber("memoryMB"));
        Assert.Equal(new[] { "rng", "block" }, e.GetStrings("devices"));
        Assert.True(e.GetBool("pvm"));
        Assert.Contains("64 MiB, 2 vCPU(s), elf /k, devices: rng, block (PVM host", e.Describe());
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
        Assert.Equal(line, e.GetString("message"));
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

    [Fact]
    public void BuildsTheEngineCommandLine()
    {
        var vm = new LguestVm("vm", 64, 2, "/k/vmlinuz", "/k/initrd", "console=hvc0  root=\"/dev/vda 1\"", LguestRebootAction.Exit, null, null);
        vm.AddDevice(new LguestRng());
        vm.AddDevice(new LguestBlockDevice("/d/a.img", readOnly: true, 512));
        vm.AddDevice(new LguestTapNetwork("169.254.1.1", null, "52:54:00:00:00:01"));
        vm.AddDevice(new LguestTapNetwork(null, "br0", null));
        Assert.Equal(new[]
        {
            "--log-format=json", "--on-reboot=exit", "--cpus=2", "--verbose", "--initrd=/k/initrd",
            "--rng", "--block=/d/a.img,ro", "--tunnet=169.254.1.1:52:54:00:00:00:01", "--tunnet=bridge:br0",
            "64", "/k/vmlinuz", "console=hvc0  root=\"/dev/vda 1\"",
        }, LguestEngine.BuildArguments(vm, verbose: true));
    }

    [Fact]
    public void AnEmptyCommandLineAddsNoArgument()
    {
        var vm = new LguestVm("vm", 64, 1, "/k", null, "", LguestRebootAction.Restart, "nobody", "/srv", hostQuirks: false);
        Assert.Equal(new[] { "--log-format=json", "--on-reboot=restart", "--cpus=1", "--username=nobody", "--chroot=/srv", "--no-host-quirks", "64", "/k" },
            LguestEngine.BuildArguments(vm, verbose: false));
    }

    [Theory]
    [InlineData(0, "poweroff", null, "Completed", null)]
    [InlineData(0, "reboot", null, "Completed", null)]
    [InlineData(143, "sigterm", null, "Stopped", null)]
    [InlineData(130, "sigint", null, "Stopped", null)]
    [InlineData(8, "console-interrupt", null, "Stopped", null)]
    [InlineData(1, "error", "KernelNotFound", "Failed", "KernelNotFound")]
    [InlineData(1, "error", null, "Failed", "EngineStartFailed")]
    [InlineData(2, "usage", "UsageError", "Failed", "UsageError")]
    [InlineData(3, "kvm-error", "KvmUnavailable", "Failed", "KvmUnavailable")]
    [InlineData(3, "kvm-error", null, "Failed", "KvmFailed")]
    [InlineData(4, "triple-fault", null, "Failed", "GuestTripleFault")]
    [InlineData(5, "emulation-failure", null, "Failed", "GuestEmulationFailure")]
    [InlineData(5, "internal-error", null, "Failed", "GuestEmulationFailure")]
    [InlineData(6, "bad-driver", null, "Failed", "GuestDriverMisbehaved")]
    [InlineData(7, "engine-error", "InternalError", "Failed", "InternalError")]
    [InlineData(137, "killed", null, "Failed", "EngineKilled")]
    [InlineData(139, "crashed", null, "Failed", "EngineCrashed")]
    public void ClassifiesEveryWayARunEnds(int code, string reason, string? errorEventId, string outcome, string? errorId)
    {
        var exit = new EngineExit(code, reason, "what happened", errorEventId, errorEventId == null ? null : "the engine's words", false, TimeSpan.Zero);
        Assert.Equal(outcome, exit.Outcome.ToString());
        var error = exit.ToError("vm");
        Assert.Equal(errorId, error?.ErrorId);
        if (error != null) Assert.Contains(errorEventId == null ? "what happened" : "the engine's words", error.Message);
    }

    [Fact]
    public void AStopWeAskedForIsStoppedWhateverTheExitCode()
    {
        var exit = new EngineExit(137, "killed", "", null, null, stopRequested: true, TimeSpan.Zero);
        Assert.Equal(RunOutcome.Stopped, exit.Outcome);
        Assert.Null(exit.ToError("vm"));
    }

    [Theory]
    [InlineData(0, "poweroff")]
    [InlineData(1, "error")]
    [InlineData(2, "usage")]
    [InlineData(3, "kvm-error")]
    [InlineData(4, "triple-fault")]
    [InlineData(5, "emulation-failure")]
    [InlineData(6, "bad-driver")]
    [InlineData(7, "engine-error")]
    [InlineData(8, "console-interrupt")]
    [InlineData(130, "sigint")]
    [InlineData(143, "sigterm")]
    public void KnowsEveryExitCodeOfTheContract(int code, string reason) =>
        Assert.Equal(reason, LguestErrors.ExitReasonForCode(code));

    /// <summary>docs/engine.md lists the engine's stable error ids: each has its category here, and the obvious ones the right one.</summary>
    [Fact]
    public void EveryEngineErrorIdHasACategory()
    {
        string contract = File.ReadAllText(Path.Combine(Layout.Root, "docs", "engine.md"));
        string ids = contract[contract.IndexOf("Error ids (stable)", StringComparison.Ordinal)..];
        ids = ids[..ids.IndexOf("\n\n", StringComparison.Ordinal)];
        var listed = Regex.Matches(ids, "`(\\w+)`").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("KernelNotFound", listed);
        foreach (var id in listed) Assert.Contains(id, LguestErrors.ErrorIds);
        Assert.Equal(ErrorCategory.ObjectNotFound, LguestErrors.CategoryOf("KernelNotFound"));
        Assert.Equal(ErrorCategory.InvalidArgument, LguestErrors.CategoryOf("MemoryTooSmall"));
        Assert.Equal(ErrorCategory.InvalidArgument, LguestErrors.CategoryOf("MemoryTooLarge"));
        Assert.Equal(ErrorCategory.ResourceUnavailable, LguestErrors.CategoryOf("KvmUnavailable"));
        Assert.Equal(ErrorCategory.PermissionDenied, LguestErrors.CategoryOf("PermissionDenied"));
        Assert.All(LguestErrors.ErrorIds.Where(id => id is not ("InternalError" or "EngineStartFailed" or "EngineFailed" or "EngineCrashed")),
            id => Assert.NotEqual(ErrorCategory.NotSpecified, LguestErrors.CategoryOf(id)));
    }
}
