using System;

namespace LguestPS.Contract;

/// <summary>A command line the engine would refuse: the id it would report, and a message that says what to write instead.</summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException(ErrorId id, string message) : base(message) => Id = id;

    public ErrorId Id { get; }
}
