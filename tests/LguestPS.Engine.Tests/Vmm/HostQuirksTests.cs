using LguestPS.Engine.Interop;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

public class HostQuirksTests
{
    private static kvm_cpuid_entry2[] HostLike(bool amd) =>
    [
        amd ? new() { function = 0, ebx = 0x68747541, edx = 0x69746E65, ecx = 0x444D4163 }
            : new() { function = 0, ebx = 0x756E6547, edx = 0x49656E69, ecx = 0x6C65746E }, // GenuineIntel
        new() { function = 1, ecx = 0xFFFF_FFFF, edx = 0xFFFF_FFFF },
        new() { function = 7, index = 0, ebx = 0xFFFF_FFFF, ecx = 0xFFFF_FFFF },
        new() { function = 0xD, index = 0, eax = 0xE7, ebx = 0x980, ecx = 0x980 },
        new() { function = 0xD, index = 1, eax = 0xF },
        new() { function = 0x8000_0008, ebx = 0x5002_0001 },
    ];

    [Fact]
    public void OnPvmTheEmulatorsBlindSpotsAreHidden()
    {
        var f = HostQuirks.FilterCpuid(HostLike(amd: true), pvm: true);
        var l1 = f.Single(e => e.function == 1);
        foreach (int bit in new[] { 23, 26, 27, 28 }) Assert.Equal(0u, l1.ecx & (1u << bit)); // popcnt, xsave, osxsave, avx
        Assert.Equal(0xFFFF_FFFFu, l1.edx);                                               // SSE2 and friends stay
        var l7 = f.Single(e => e.function == 7);
        Assert.Equal(0u, l7.ebx & (1u << 20));                                           // SMAP
        Assert.Equal(0u, l7.ebx & (1u << 16));                                           // AVX512F
        Assert.All(f.Where(e => e.function == 0xD), e => Assert.Equal(0u, e.eax | e.ebx | e.ecx | e.edx));
        Assert.NotEqual(0u, f.Single(e => e.function == 0x8000_0008).ebx & 4);             // XSAVEERPTR claimed on AMD
    }

    [Fact]
    public void IntelGetsNoXsaveErPtrAndOtherHostsGetTheirCpuidUntouched()
    {
        var intel = HostQuirks.FilterCpuid(HostLike(amd: false), pvm: true);
        Assert.Equal(0x5002_0001u, intel.Single(e => e.function == 0x8000_0008).ebx);
        var host = HostLike(amd: true);
        Assert.Same(host, HostQuirks.FilterCpuid(host, pvm: false));
    }

    [Fact]
    public void OnlyLinuxGuestsOnPvmGetKernelArguments()
    {
        Assert.Equal(["noxsave", "clearcpuid=308,151"], HostQuirks.KernelArgs(pvm: true, linux: true));
        Assert.Empty(HostQuirks.KernelArgs(pvm: true, linux: false));  // our test guest checks its command line byte for byte
        Assert.Empty(HostQuirks.KernelArgs(pvm: false, linux: true));
    }

    [Fact]
    public void LinuxFeatureNumbersMatchCpufeaturesH()
    {
        // arch/x86/include/asm/cpufeatures.h: X86_FEATURE_SMAP is (9*32+20), X86_FEATURE_POPCNT is (4*32+23).
        Assert.Equal(308, HostQuirks.LinuxFeatureSmap);
        Assert.Equal(151, HostQuirks.LinuxFeaturePopcnt);
    }
}
