using System;
using System.Threading;

namespace LguestPS.Session;

/// <summary>What came of waiting for the guest's next console line.</summary>
internal enum ConsoleRead
{
    Line,
    TimedOut,
    Cancelled,
    Closed,
}

/// <summary>
/// A console as one conversation with the guest's shell sees it: text typed
/// in, complete lines coming back (carriage returns and partial previews
/// already dealt with). A VM's console while a command holds it
/// (<see cref="ConsoleClaim"/>); in the tests, a real shell behind a
/// pseudo-terminal.
/// </summary>
internal interface IConsoleChannel
{
    /// <summary>Types the text. Throws VmNotRunning once the console is gone.</summary>
    void Send(string text);

    /// <summary>The next line, if one comes within <paramref name="timeout"/>.</summary>
    ConsoleRead Read(TimeSpan timeout, CancellationToken cancel, out string line);
}
