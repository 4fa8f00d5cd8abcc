using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Vmm;

/*L:610
 * What a guest needs to survive a host whose KVM is software-only (PVM, see
 * PLATFORM.md): there, guest code runs in KVM's instruction emulator, which
 * cannot run the XSAVE family, SMAP's clac/stac, popcnt or (on AMD) the x87
 * fnclex that Linux's FXSAVE-leak workaround issues.
 *
 * The proper cure is the guest's CPUID: a CPU that does not claim a feature
 * never has it used. So on PVM we hide those features, and we claim
 * XSAVEERPTR on AMD so Linux skips the fnclex workaround. That is all a
 * hardware-virtualization host would need. But PVM shows the guest the
 * host's own bits for leaves 1 (ECX), 7 and 0xD whatever we set (it does
 * honour leaf 0x80000008; CpuidProbeTests records exactly which), so for a
 * Linux guest we also say it on its command line: "noxsave" and
 * "clearcpuid=" with the feature numbers of Linux's cpufeatures.h (numbers,
 * because a tinyconfig kernel has no feature names). --no-host-quirks turns
 * all of it off.
 */
public static class HostQuirks
{
    // CPUID bits (Intel SDM / AMD APM), and their Linux feature numbers (word * 32 + bit).
    private const int Leaf1EcxPopcnt = 23, Leaf1EcxXsave = 26, Leaf1EcxOsxsave = 27, Leaf1EcxAvx = 28, Leaf1EcxF16c = 29, Leaf1EcxFma = 12;
    private const int Leaf7EbxAvx2 = 5, Leaf7EbxSmap = 20, Leaf80000008EbxXsaveErPtr = 2;
    private const uint Leaf7EbxAvx512Mask = 0xD0230000; // AVX512F, DQ, IFMA, CD, BW, VL (bits 16, 17, 21, 28, 30, 31)
    public const int LinuxFeatureSmap = 9 * 32 + Leaf7EbxSmap;     // 308
    public const int LinuxFeaturePopcnt = 4 * 32 + Leaf1EcxPopcnt; // 151

    /// <summary>The kernel arguments a Linux guest needs on this host (none unless PVM).</summary>
    public static IReadOnlyList<string> KernelArgs(bool pvm, bool linux) =>
        pvm && linux ? ["noxsave", $"clearcpuid={LinuxFeatureSmap},{LinuxFeaturePopcnt}"] : [];

    /// <summary>The guest's CPUID with the features the emulator cannot run hidden (PVM only).</summary>
    public static kvm_cpuid_entry2[] FilterCpuid(kvm_cpuid_entry2[] entries, bool pvm)
    {
        if (!pvm) return entries;
        bool amd = IsAmd(entries);
        var e = (kvm_cpuid_entry2[])entries.Clone();
        for (int i = 0; i < e.Length; i++)
        {
            switch (e[i].function)
            {
                case 1:
                    e[i].ecx &= ~(Bit(Leaf1EcxPopcnt) | Bit(Leaf1EcxXsave) | Bit(Leaf1EcxOsxsave) | Bit(Leaf1EcxAvx) |
                                  Bit(Leaf1EcxF16c) | Bit(Leaf1EcxFma));
                    break;
                case 7 when e[i].index == 0:
                    e[i].ebx &= ~(Bit(Leaf7EbxAvx2) | Bit(Leaf7EbxSmap) | Leaf7EbxAvx512Mask);
                    break;
                case 0xD:
                    e[i].eax = e[i].ebx = e[i].ecx = e[i].edx = 0; // no XSAVE state components at all
                    break;
                case 0x8000_0008 when amd:
                    e[i].ebx |= Bit(Leaf80000008EbxXsaveErPtr);
                    break;
            }
        }
        return e;
    }

    /// <summary>CPUID leaf 0's vendor string is "AuthenticAMD".</summary>
    public static bool IsAmd(ReadOnlySpan<kvm_cpuid_entry2> entries)
    {
        foreach (var e in entries)
            if (e.function == 0)
                return e.ebx == 0x68747541 && e.edx == 0x69746E65 && e.ecx == 0x444D4163; // "Auth" "enti" "cAMD"
        return false;
    }

    private static uint Bit(int n) => 1u << n;
}
