using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Fuzz;

/// <summary>The targets by name. Net needs a tap, which only a process in a network namespace of its own may make.</summary>
public static class FuzzTargets
{
    public static readonly string[] Names = ["ring", "pci", "block", "net", "kernel", "cli"];

    public static IFuzzTarget Create(string name, Func<TapDevice>? tap = null) => name switch
    {
        "ring" => new RingTarget(),
        "pci" => new PciTarget(),
        "block" => new BlockTarget(),
        "net" => new NetTarget((tap ?? throw new ArgumentException("the net target needs a tap"))()),
        "kernel" => new KernelTarget(),
        "cli" => new CliTarget(),
        _ => throw new ArgumentException($"no fuzz target '{name}'; the targets are {string.Join(", ", Names)}"),
    };
}
