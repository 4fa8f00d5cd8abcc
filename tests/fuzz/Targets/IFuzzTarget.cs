namespace LguestPS.Fuzz;

/// <summary>One fuzzing target: runs the engine's code on one input and throws only on a finding.</summary>
public interface IFuzzTarget
{
    string Name { get; }
    void Run(ReadOnlySpan<byte> data);
}
