using System.Text.RegularExpressions;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * Every signal that would end the engine ends it the clean way: exit code
 * and exit event of its own, the terminal put back (docs/engine.md,
 * "Signals"). SIGHUP and SIGQUIT are sent on a pseudo-terminal, where a
 * hang-up or ^\ comes from, and the terminal is checked afterwards.
 */
public class SignalTests
{
    [SkippableTheory]
    [InlineData(1, 129, "sighup")]
    [InlineData(3, 131, "sigquit")]
    public void SighupAndSigquitStopCleanlyAndRestoreTheTerminal(int signal, int code, string reason)
    {
        KvmHost.Require();
        // The shell says the engine's pid (exec keeps it), then becomes the engine, on the terminal.
        using var term = TerminalRun.Start(
            $"bash -c 'echo PID=$$; exec \"$0\" \"$@\"' {EngineProcess.Binary} --log-format=json 64 {TestGuest.BzImage} tests=serial; " +
            "echo EXIT=$?; stty -a");
        string shown = term.WaitFor("READY serial");
        int pid = int.Parse(Regex.Match(shown, @"PID=(\d+)").Groups[1].Value);
        Assert.Equal(0, kill(pid, signal));
        string text = term.Finish();
        Assert.Contains($"EXIT={code}", text);
        Assert.Contains($"\"reason\":\"{reason}\",\"code\":{code}", text);
        TerminalRun.AssertRestored(text);
    }

    /// <summary>The signals nobody sends a VM on purpose stop it as SIGTERM does, and say which one it was.</summary>
    [SkippableTheory]
    [InlineData(12, "SIGUSR2")]
    [InlineData(14, "SIGALRM")]
    [InlineData(30, "SIGPWR")]
    public void OtherTerminatingSignalsTakeTheSigtermPath(int signal, string name)
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "64", TestGuest.BzImage, "tests=serial");
        vm.WaitForOutput("READY serial");
        vm.Signal(signal);
        Assert.Equal(143, vm.WaitForExit());
        Assert.Equal("sigterm", vm.ExitEvent.GetProperty("reason").GetString());
        Assert.Equal($"stopped by {name} (as by SIGTERM)", vm.ExitEvent.GetProperty("message").GetString());
    }
}
