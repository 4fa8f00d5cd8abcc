
namespace LguestPS.Engine.Boot;

/// <summary>Architectural bits we set, under the names Linux gives them (X86_CR0_PE and so on).</summary>
public static class X86
{
    public const ulong CR0_PE = 1UL << 0;   // protected mode
    public const ulong CR0_ET = 1UL << 4;   // extension type: hard-wired to 1 since the 486
    public const ulong CR0_NE = 1UL << 5;   // native x87 error reporting
    public const ulong CR0_PG = 1UL << 31;  // paging
    public const ulong CR4_PAE = 1UL << 5;  // physical address extension: required for long mode
    public const ulong EFER_LME = 1UL << 8; // long mode enable
    public const ulong EFER_LMA = 1UL << 10; // long mode active
    public const ulong RFLAGS_FIXED = 1UL << 1; // bit 1 always reads 1; IF (bit 9) stays clear
    public const byte SEG_TYPE_LDT = 2;
    public const byte SEG_TYPE_TSS64_BUSY = 11;
}
