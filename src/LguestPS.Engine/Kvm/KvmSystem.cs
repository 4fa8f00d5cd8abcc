using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/*L:040
 * /dev/kvm is where lguest's /dev/lguest used to be: the one door into the
 * hypervisor. We open it once, check we speak the same API version, and
 * keep it for the life of the process, because a reboot builds a fresh VM
 * through it (possibly after we dropped the privileges needed to reopen it).
 */
public sealed class KvmSystem : IDisposable
{
    public const string DevicePath = "/dev/kvm";
    private readonly SafeFd _fd;

    private KvmSystem(SafeFd fd) => _fd = fd;

    public static KvmSystem Open()
    {
        if (!File.Exists(DevicePath))
            throw new EngineException(ErrorId.KvmUnavailable,
                $"{DevicePath} does not exist: this host has no KVM (load kvm_intel or kvm_amd, or enable nested virtualization)");
        SafeFd fd;
        try { fd = Sys.Open(DevicePath, Tmds.Linux.LibC.O_RDWR, "KVM device"); }
        catch (SysException e) when (e.Errno is 1 or 13)
        {
            throw new EngineException(ErrorId.PermissionDenied,
                $"no permission to open {DevicePath}: run as root or add your user to the 'kvm' group");
        }
        var sys = new KvmSystem(fd);
        int version = Sys.Ioctl(fd, KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION");
        if (version != KVM_API_VERSION)
            throw new EngineException(ErrorId.KvmUnavailable, $"KVM API version {version}, expected {KVM_API_VERSION}");
        foreach (var (cap, name) in new[] { (KVM_CAP_IRQCHIP, "in-kernel irqchip"), (KVM_CAP_USER_MEMORY, "user memory"),
                     (KVM_CAP_PIT2, "in-kernel PIT"), (KVM_CAP_IOEVENTFD, "ioeventfd"), (KVM_CAP_IRQFD, "irqfd"),
                     (KVM_CAP_EXT_CPUID, "CPUID setting"), (KVM_CAP_IMMEDIATE_EXIT, "immediate exit"), (KVM_CAP_IRQ_ROUTING, "interrupt routing") })
            if (sys.CheckExtension(cap) <= 0)
                throw new EngineException(ErrorId.KvmUnavailable, $"this KVM lacks {name} (KVM_CAP {cap}), which the engine needs");
        return sys;
    }

    public int CheckExtension(int cap) => Sys.Ioctl(_fd, KVM_CHECK_EXTENSION, (ulong)cap, "KVM_CHECK_EXTENSION");

    public int VcpuMmapSize => Sys.Ioctl(_fd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");

    /// <summary>The largest number of vCPUs this KVM allows in one VM.</summary>
    public int MaxVcpus
    {
        get
        {
            int max = CheckExtension(KVM_CAP_MAX_VCPUS);
            return max > 0 ? max : Math.Max(CheckExtension(KVM_CAP_NR_VCPUS), 4);
        }
    }

    /// <summary>KVM_GET_SUPPORTED_CPUID: every leaf KVM can virtualize on this host.</summary>
    // SAFETY: the pinned buffer holds the kvm_cpuid2 header and KVM_MAX_CPUID_ENTRIES entries; KVM writes at
    // most nent (which we set to that) and lowers nent to what it filled, and we copy out only nent entries.
    public unsafe kvm_cpuid_entry2[] SupportedCpuid()
    {
        int n = KVM_MAX_CPUID_ENTRIES;
        byte[] buf = new byte[sizeof(kvm_cpuid2) + n * sizeof(kvm_cpuid_entry2)];
        fixed (byte* p = buf)
        {
            ((kvm_cpuid2*)p)->nent = (uint)n;
            Sys.Ioctl(_fd, KVM_GET_SUPPORTED_CPUID, p, "KVM_GET_SUPPORTED_CPUID");
            var e = (kvm_cpuid_entry2*)(p + sizeof(kvm_cpuid2));
            return new ReadOnlySpan<kvm_cpuid_entry2>(e, (int)((kvm_cpuid2*)p)->nent).ToArray();
        }
    }

    public KvmVm CreateVm()
    {
        int fd = Sys.Ioctl(_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
        return new KvmVm(new SafeFd(fd), this);
    }

    /// <summary>
    /// PVM (kvm_pvm) is a software-only KVM: no VMX/SVM underneath, guest code
    /// runs through KVM's instruction emulator. Guests need extra care there
    /// (PLATFORM.md), so we detect it and say so.
    /// </summary>
    public static bool IsPvmHost { get; } = Directory.Exists("/sys/module/kvm_pvm"); // read once, before any chroot

    public void Dispose() => _fd.Dispose();
}
