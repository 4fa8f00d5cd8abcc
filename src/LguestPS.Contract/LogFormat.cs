namespace LguestPS.Contract;

/// <summary>How the engine writes diagnostics on stderr (--log-format=text|json).</summary>
public enum LogFormat
{
    /// <summary>A line of text for people (the default).</summary>
    Text,
    /// <summary>One JSON object per line (<see cref="Events"/>): what the module reads.</summary>
    Json,
}
