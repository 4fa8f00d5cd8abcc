
namespace LguestPS.Engine.Boot;

/// <summary>One e820 range (struct boot_e820_entry): [Addr, Addr+Size) of the given type.</summary>
public readonly record struct E820Entry(ulong Addr, ulong Size, uint Type)
{
    public ulong End => Addr + Size;
}
