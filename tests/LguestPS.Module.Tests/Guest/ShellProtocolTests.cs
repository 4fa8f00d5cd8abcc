using System.Diagnostics;
using System.Text;
using LguestPS.Guest;

namespace LguestPS.Module.Tests;

/*
 * Invoke-LguestVmCommand's protocol against real shells on a real terminal
 * (PtyShell): busybox ash as the busybox guest runs it, the same with echo
 * off, dash (the terminal echoes), bash (readline, history expansion). The
 * same conversation then runs against a booted guest in the provisioning
 * end-to-end tests.
 */
public sealed class ShellProtocolTests : IDisposable
{
    private readonly List<PtyShell> _shells = new();

    public static TheoryData<string> Shells => new(PtyShell.Shells.Keys);

    public void Dispose()
    {
        foreach (var s in _shells) s.Dispose();
    }

    private (PtyShell Pty, ShellSession Shell) Open(string name, CancellationToken cancel = default)
    {
        var pty = PtyShell.Start(name);
        _shells.Add(pty);
        return (pty, new ShellSession(pty.Claim, "pty", inStep: false, cancel));
    }

    private static LguestCommandResult Run(ShellSession shell, string command, int seconds = 30) =>
        GuestCommand.Run(shell, "pty", command, Deadline.Seconds(seconds), Stopwatch.StartNew(), new GuestCommand.Output());

    private static void AssertOutput(PtyShell pty, LguestCommandResult r, int code, params string[] lines)
    {
        Assert.True(r.ExitCode == code && r.Output.SequenceEqual(lines),
            $"expected exit {code} and [{string.Join("|", lines)}], got exit {r.ExitCode} and [{string.Join("|", r.Output)}]\n--- console ---\n{pty.Dump()}");
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void OutputStderrAndExitCodeComeBack(string name)
    {
        var (pty, shell) = Open(name);
        AssertOutput(pty, Run(shell, "echo hello; echo oops >&2; exit 3"), 3, "hello", "oops");
        AssertOutput(pty, Run(shell, "printf 'no newline'"), 0, "no newline");
        AssertOutput(pty, Run(shell, "true"), 0);
        AssertOutput(pty, Run(shell, "printf 'a\\n\\nb\\n'"), 0, "a", "", "b");
        Assert.True(shell.InStep);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void AnyTextIsACommand(string name)
    {
        var (pty, shell) = Open(name);
        string script = "cat <<'EOF'\n\tit's \"quoted\" $HOME `x` !! héllo ✓\nEOF\nx='a;b'\necho \"$x\" | tr ';' '\\t'";
        AssertOutput(pty, Run(shell, script), 0, "\tit's \"quoted\" $HOME `x` !! héllo ✓", "a\tb");
        AssertOutput(pty, Run(shell, "echo '!!' \"it's\" a\\ b # comment ) ; exit 9"), 0, "!! it's a b # comment ) ; exit 9".Split(" #")[0]);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void CommandsLongerThanATerminalLineGoOverInPieces(string name)
    {
        var (pty, shell) = Open(name);
        string big = new string('x', 10_000);
        AssertOutput(pty, Run(shell, $"v='{big}'; echo ${{#v}}"), 0, "10000");
        string blob = Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('y', 6000)));
        AssertOutput(pty, Run(shell, $"echo {blob} | base64 -d | wc -c | tr -d ' '"), 0, "6000");
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void OutputThatLooksLikeMarkersCannotFoolIt(string name)
    {
        var (pty, shell) = Open(name);
        var fake = ShellMarker.New();
        string[] lines =
        {
            fake.Printed(ShellMarker.End) + "0:",
            fake.Printed(ShellMarker.Begin),
            ":LGPS-E0::0:",
            ":LGPS-E$((0)):" + fake.Nonce + ":$?:",
            fake.Printed(ShellMarker.Probe),
        };
        var r = Run(shell, string.Join("; ", lines.Select(l => $"echo '{l}'")) + "; exit 4");
        AssertOutput(pty, r, 4, lines);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void ACommandCannotReadWhatIsTypedAfterItNorChangeTheShell(string name)
    {
        var (pty, shell) = Open(name);
        AssertOutput(pty, Run(shell, "cat; read x; echo \"read '$x'\""), 0, "read ''");
        AssertOutput(pty, Run(shell, "cd /; X=1; exit 5"), 5);
        AssertOutput(pty, Run(shell, "pwd; echo \"X=$X\""), 0, Path.GetTempPath().TrimEnd('/'), "X=");
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void TerminalControlIsStrippedFromOutput(string name)
    {
        var (pty, shell) = Open(name);
        AssertOutput(pty, Run(shell, "printf '\\033[1;32mgreen\\033[0m\\r\\n\\033]0;title\\007tab\\tok\\n'"), 0, "green", "tab\tok");
    }

    [Theory]
    [InlineData("busybox ash")]
    [InlineData("dash")]
    [InlineData("bash")]
    public void ATimedOutCommandIsInterruptedAndTheConsoleStaysUsable(string name)
    {
        var (pty, shell) = Open(name);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<LguestException>(() => Run(shell, "echo started; sleep 60; echo never", seconds: 3));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal("GuestCommandTimedOut", e.ErrorId);
        Assert.Contains("answered again", e.Message);
        Assert.True(shell.InStep, pty.Dump());
        AssertOutput(pty, Run(shell, "echo next"), 0, "next");
        Assert.False(pty.Printed("never"));
    }

    [Fact]
    public void CancellingInterruptsTheCommandToo()
    {
        using var cancel = new CancellationTokenSource();
        var (pty, shell) = Open("busybox ash", cancel.Token);
        AssertOutput(pty, Run(shell, "echo warm"), 0, "warm");
        var running = Task.Run(() => Run(shell, "echo go; sleep 60"));
        Assert.True(SpinWait.SpinUntil(() => pty.Printed("go"), TimeSpan.FromSeconds(30)), pty.Dump());
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => running.GetAwaiter().GetResult());
        Assert.True(shell.InStep, pty.Dump());
        var again = new ShellSession(pty.Claim, "pty", shell.InStep, CancellationToken.None);
        AssertOutput(pty, Run(again, "echo after"), 0, "after");
    }

    [Fact]
    public void ProbesWaitForAShellThatStartsLate()
    {
        var pty = new PtyShell("sleep 3; exec busybox sh -i");
        _shells.Add(pty);
        var shell = new ShellSession(pty.Claim, "pty", inStep: false, CancellationToken.None);
        AssertOutput(pty, Run(shell, "echo up"), 0, "up");
    }

    [Fact]
    public void NoShellOnTheConsoleIsAClearError()
    {
        var pty = new PtyShell("sleep 60");
        _shells.Add(pty);
        var shell = new ShellSession(pty.Claim, "pty", inStep: false, CancellationToken.None);
        var e = Assert.Throws<LguestException>(() => Run(shell, "echo up", seconds: 3));
        Assert.Equal("GuestShellNotResponding", e.ErrorId);
        Assert.Contains("-Timeout", e.Message);
    }

    [Fact]
    public void TheShellDyingMidCommandEndsTheConversation()
    {
        var (pty, shell) = Open("busybox ash");
        var e = Assert.Throws<LguestException>(() => Run(shell, "kill -9 $$; sleep 30"));
        Assert.Contains(e.ErrorId, new[] { "VmExitedDuringCommand", "VmNotRunning" });
    }

    [Fact]
    public void TypedLinesStayWithinTheLineEditorsLimit()
    {
        var marker = ShellMarker.New();
        foreach (var command in new[] { "echo hi", new string('a', 5000), "x\ty", "multi\nline", new string('é', 3000) })
            Assert.All(CommandScript.Lines(command, marker), l => Assert.True(Encoding.UTF8.GetByteCount(l) <= CommandScript.MaxLine, $"{l.Length}"));
    }
}
