using System.Text;
using LguestPS.Contract;

namespace LguestPS.Fuzz;

/*
 * The command line parser (the contract's, which engine and module share)
 * on arguments of the fuzzer's choosing (NUL separates them). Every
 * malformed line must be refused with a CommandLineException (an id and a
 * message);
 * any other exception is a finding, and so is an accepted line whose kernel
 * arguments come back different from what followed the kernel.
 */
public sealed class CliTarget : IFuzzTarget
{
    public string Name => "cli";

    public void Run(ReadOnlySpan<byte> data)
    {
        var args = Encoding.UTF8.GetString(data).Split('\0');
        EngineCommandLine o;
        try { o = EngineCommandLine.Parse(args); }
        catch (CommandLineException) { return; }
        int n = o.KernelArgs.Count;
        if (o.MemoryMiB == 0 || args.Length < n + 2 || args[^(n + 1)] != o.Kernel || !args.AsSpan(args.Length - n).SequenceEqual(o.KernelArgs.ToArray()))
            throw new FuzzFinding("an accepted line whose kernel and kernel arguments are not its last words");
    }
}
