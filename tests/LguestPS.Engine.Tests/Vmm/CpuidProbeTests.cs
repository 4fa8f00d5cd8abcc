using LguestPS.Engine.Boot;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Platform;
using LguestPS.Engine.Tests.EndToEnd;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

/// <summary>
/// Which CPUID bits does the guest really see? A few bytes of guest code run
/// CPUID and report the registers on a port. On a hardware-virtualization host
/// the guest sees exactly what KVM_SET_CPUID2 said; on PVM it does not for the
/// feature leaves (1, 7, 0xD), which is why HostQuirks also edits the command
/// line. This test is the record of that.
/// </summary>
public class CpuidProbeTests
{
    private sealed class Recorder : IPortDevice
    {
        public List<uint> Values { get; } = new();
        public uint Read(ushort o, int s) => 0;
        public void Write(ushort o, int s, uint v) => Values.Add(v);
    }

    private static readonly uint[] Leaves = [1, 7, 0xD, 0x8000_0008];

    private static Dictionary<uint, (uint Eax, uint Ebx, uint Ecx, uint Edx)> Probe(kvm_cpuid_entry2[] cpuid)
    {
        using var sys = KvmSystem.Open();
        using var vm = sys.CreateVm();
        using var mem = new GuestMemory(16 << 20);
        vm.SetMemory(mem);
        vm.CreatePlatform();
        PageTables.Write(mem);
        Gdt.Write(mem);
        var code = new List<byte>();
        foreach (uint leaf in Leaves)
        {
            code.Add(0xB8); code.AddRange(BitConverter.GetBytes(leaf)); // mov eax, leaf
            code.AddRange([0x31, 0xC9, 0x0F, 0xA2]);                    // xor ecx, ecx; cpuid
            code.AddRange([0x89, 0xD6, 0x66, 0xBA, 0x00, 0x05]);        // mov esi, edx; mov dx, 0x500
            code.AddRange([0xEF, 0x89, 0xD8, 0xEF, 0x89, 0xC8, 0xEF, 0x89, 0xF0, 0xEF]); // out eax, ebx, ecx, esi
        }
        code.AddRange([0xB0, 0xFE, 0xE6, 0x64, 0xF4]);                  // reset through the i8042; hlt
        mem.Write(0x100000, code.ToArray());
        var stop = new StopLatch();
        var io = new IoBus();
        var rec = new Recorder();
        io.Register(0x500, 1, "probe", rec);
        io.Register(I8042.DataPort, 5, "i8042", new I8042(() => stop.TrySet(new VmExit(ExitReason.Reboot, "done"))));
        using var cpu = vm.CreateVcpu(0);
        CpuSetup.InitCommon(cpu, cpuid);
        CpuSetup.InitBoot(cpu, CpuState.LongModeEntry(0x100000, Layout.BootParams));
        new VcpuRunner(cpu, io, new MmioBus(), mem, stop, new PauseGate(1, shut: false)).Run();
        Assert.Equal(ExitReason.Reboot, stop.Exit!.Reason);
        return Leaves.Select((l, i) => (l, i)).ToDictionary(t => t.l,
            t => (rec.Values[4 * t.i], rec.Values[4 * t.i + 1], rec.Values[4 * t.i + 2], rec.Values[4 * t.i + 3]));
    }

    [SkippableFact]
    public void TheGuestSeesTheFilteredCpuidWhereTheHostHonoursIt()
    {
        KvmHost.Require();
        using var sys = KvmSystem.Open();
        var supported = CpuSetup.CpuidFor(sys.SupportedCpuid(), 0, 1);
        var filtered = HostQuirks.FilterCpuid(supported, pvm: true);
        var seen = Probe(filtered);
        uint Want(uint leaf, Func<kvm_cpuid_entry2, uint> reg) => reg(filtered.First(e => e.function == leaf && e.index == 0));

        // Leaf 0x80000008 (where XSAVEERPTR lives) is honoured everywhere, PVM included.
        Assert.Equal(Want(0x8000_0008, e => e.ebx), seen[0x8000_0008].Ebx);
        Assert.Equal(Want(1, e => e.eax), seen[1].Eax);
        bool xsaveSeen = (seen[1].Ecx & (1u << 26)) != 0;
        if (!KvmSystem.IsPvmHost)
        {
            // Hardware virtualization: the feature leaves are exactly what we set.
            Assert.False(xsaveSeen, "KVM should hide XSAVE when CPUID says so");
            Assert.Equal(Want(7, e => e.ebx), seen[7].Ebx);
            return;
        }
        // PVM: leaves 1 (ECX), 7 and 0xD show the host's bits whatever we set, so the kernel command line must say it.
        bool hostHasXsave = File.ReadAllText("/proc/cpuinfo").Contains(" xsave ");
        Assert.Equal(hostHasXsave, xsaveSeen);
        Assert.NotEqual(Want(7, e => e.ebx), seen[7].Ebx);
    }
}
