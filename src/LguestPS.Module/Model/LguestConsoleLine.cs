using System;

namespace LguestPS;

/// <summary>
/// One line the guest wrote on its console. ToString() is the text, so
/// <c>-match</c>, <c>Select-String</c> and string interpolation see the line itself.
/// </summary>
public sealed class LguestConsoleLine
{
    public LguestConsoleLine(string vmName, long lineNumber, TimeSpan time, string text, bool isPartial)
    {
        VmName = vmName;
        LineNumber = lineNumber;
        Time = time;
        Text = text;
        IsPartial = isPartial;
    }

    /// <summary>The VM that wrote the line.</summary>
    public string VmName { get; }

    /// <summary>
    /// The line's number in this run of the VM, from 1. A partial line and the
    /// complete line that follows it share the number.
    /// </summary>
    public long LineNumber { get; }

    /// <summary>When the line began to arrive, measured from the start of the engine process.</summary>
    public TimeSpan Time { get; }

    /// <summary>The text, without the line ending.</summary>
    public string Text { get; }

    /// <summary>
    /// True when the guest has not ended the line yet (a "login: " prompt) and
    /// it was delivered after a short idle time so that nobody waits for a
    /// newline that may never come. When the guest later ends the line, it is
    /// delivered again, whole, with the same LineNumber and IsPartial false:
    /// filter out partial lines to get each line exactly once.
    /// </summary>
    public bool IsPartial { get; }

    public override string ToString() => Text;
}
