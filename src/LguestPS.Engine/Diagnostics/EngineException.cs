using LguestPS.Contract;

namespace LguestPS.Engine.Diagnostics;

/*
 * Every failure the engine reports to a user is one of these: a stable id
 * from the contract (what the module and scripts match on) and one line that
 * says what was wrong and what to do. The CLI turns it into an `error` event
 * and the exit its id ends in.
 */
/// <summary>A failure with a stable id and one line of text that tells the user what was wrong and what to do.</summary>
public class EngineException(ErrorId id, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorId Id { get; } = id;
}
