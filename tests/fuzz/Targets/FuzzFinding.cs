namespace LguestPS.Fuzz;

/// <summary>A broken promise of the engine's (not a refusal of bad input): what the fuzzer is looking for.</summary>
public sealed class FuzzFinding(string message) : Exception(message);
