using System;

namespace LguestPS;

/// <summary>
/// What a command run in a guest by Invoke-LguestVmCommand gave back: its
/// output lines (stdout and stderr together, as a terminal shows them) and
/// its exit code. ToString() is the output, one line after another, so
/// <c>-match</c> and <c>Should -Match</c> look at what the command printed.
/// </summary>
public sealed class LguestCommandResult
{
    public LguestCommandResult(string vmName, string command, string[] output, int? exitCode, TimeSpan duration)
    {
        VmName = vmName;
        Command = command;
        Output = output;
        ExitCode = exitCode;
        Duration = duration;
    }

    /// <summary>The VM the command ran in.</summary>
    public string VmName { get; }

    /// <summary>The command as given.</summary>
    public string Command { get; }

    /// <summary>What the command printed, one string per line, without line endings or terminal control sequences.</summary>
    public string[] Output { get; }

    /// <summary>The command's exit code; null when it did not finish (it timed out, or the VM ended).</summary>
    public int? ExitCode { get; }

    /// <summary>True when the command finished with exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>From the call to the command's end, including any wait for the guest's shell.</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when the guest printed more than a result keeps (OutputLimitChars) and the rest was dropped.</summary>
    public bool OutputTruncated { get; internal set; }

    public override string ToString() => string.Join("\n", Output);
}
