using LguestPS.Contract;

namespace LguestPS.Engine.Diagnostics;

/*
 * Diagnostics go to stderr, never stdout (stdout is the guest's console).
 * The CLI installs a sink that writes human text or JSON; layers below only
 * call Log.Verbose/Warning. Check Log.IsVerbose before building a message on
 * a hot path, so a quiet run never formats a string.
 */
public static class Log
{
    public static bool IsVerbose { get; set; }
    public static Action<string, string> Sink { get; set; } = (level, msg) => Console.Error.WriteLine($"lguest: {msg}");

    public static void Verbose(string message)
    {
        if (IsVerbose) Sink(Events.Log.Levels.Verbose, message);
    }

    public static void Warning(string message) => Sink(Events.Log.Levels.Warning, message);
}
