using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Fuzz;

/*
 * The kernel loaders (bzImage setup header, ELF headers and segments) on a
 * file of the fuzzer's bytes, then the whole boot plan (zero page, e820,
 * command line, page tables, MP table) into 32 MiB of RAM. A bad image must
 * be refused with an EngineException (KernelInvalid, MemoryTooSmall, ...):
 * any other exception, a touch outside RAM above all, is a finding.
 */
public sealed class KernelTarget : IFuzzTarget, IDisposable
{
    private const ulong Ram = 32 << 20;
    private readonly string _path = Path.Combine(FuzzFiles.Dir, $"kernel-{Environment.ProcessId}.img");
    private readonly GuestMemory _mem = new(Ram);

    public string Name => "kernel";

    public void Run(ReadOnlySpan<byte> data)
    {
        File.WriteAllBytes(_path, data.ToArray());
        try
        {
            using var kernel = KernelImage.Open(_path);
            kernel.CheckFits(Ram);
            BootLoader.Load(_mem, kernel, null, "console=ttyS0 tests=all", 2, PciIntx.GsiFor);
        }
        catch (GuestMemoryException e)
        {
            throw new FuzzFinding($"the loader touched guest memory outside RAM: {e.Message}");
        }
        catch (EngineException) { } // refused, with an id and a message: what bad input must get
    }

    public void Dispose()
    {
        _mem.Dispose();
        File.Delete(_path);
    }
}
