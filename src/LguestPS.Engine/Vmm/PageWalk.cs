using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Vmm;

/// <summary>
/// Translates a guest-virtual address through the guest's own page tables, so
/// an error message can show the bytes at RIP. Every table read goes through
/// the memory gate; a table pointing outside RAM just means "unknown".
/// </summary>
public static class PageWalk
{
    private const ulong Present = 1, Large = 1 << 7;
    private const ulong AddrMask = 0x000F_FFFF_FFFF_F000;

    public static ulong? Translate(GuestMemory mem, ulong cr3, ulong cr0, ulong cr4, ulong efer, ulong va)
    {
        if ((cr0 & (1UL << 31)) == 0) return va;                 // paging off: physical = virtual (flat)
        if ((efer & (1 << 10)) == 0 || (cr4 & (1 << 5)) == 0) return null; // only long-mode 4-level paging here
        ulong table = cr3 & AddrMask;
        for (int level = 3; level >= 0; level--)
        {
            ulong index = (va >> (12 + 9 * level)) & 0x1FF;
            ulong entryGpa = table + index * 8;
            if (!mem.Contains(entryGpa, 8)) return null;
            ulong e = mem.Read<ulong>(entryGpa);
            if ((e & Present) == 0) return null;
            if (level is 1 or 2 && (e & Large) != 0)
            {
                ulong pageSize = 1UL << (12 + 9 * level);
                return (e & AddrMask & ~(pageSize - 1)) | (va & (pageSize - 1));
            }
            table = e & AddrMask;
        }
        return table | (va & 0xFFF);
    }
}
