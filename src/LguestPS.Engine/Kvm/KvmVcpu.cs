using System.Runtime.InteropServices;
using LguestPS.Contract;
using LguestPS.Engine.Interop;
using Tmds.Linux;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/*L:050
 * A vCPU is a file descriptor plus a page we share with the kernel (kvm_run)
 * where KVM leaves the reason for each exit. KVM_RUN runs the guest until it
 * does something only we can handle: touches an I/O port, or MMIO that is not
 * RAM, or dies. Everything else (interrupt controllers, timers, the emulator
 * when the hardware cannot cope) stays in the kernel.
 */
public sealed unsafe class KvmVcpu : IDisposable
{
    private readonly SafeFd _fd;
    private readonly int _mmapSize;
    private kvm_run* _run;
    private int _tid;

    public int Id { get; }

    internal KvmVcpu(SafeFd fd, int id, int mmapSize)
    {
        _fd = fd;
        Id = id;
        _mmapSize = mmapSize;
        _run = (kvm_run*)Sys.MapShared(fd, (ulong)mmapSize, "kvm_run");
    }

    public kvm_run* RunState => _run;

    /// <summary>The bytes of an I/O exit's data buffer (inside the kvm_run mapping, bounds-checked).</summary>
    public Span<byte> IoData(in kvm_run_io io)
    {
        ulong len = (ulong)io.size * io.count;
        if (io.data_offset + len > (ulong)_mmapSize || io.data_offset < (ulong)sizeof(kvm_run))
            throw new EngineException(ErrorId.KvmFailed, $"KVM reported an I/O buffer outside kvm_run (offset {io.data_offset}, {len} bytes)");
        return new Span<byte>((byte*)_run + io.data_offset, (int)len);
    }

    public ref T Exit<T>() where T : unmanaged => ref *(T*)_run->exit_union;

    /// <summary>
    /// Enters the guest. Returns false if we were kicked (EINTR or immediate_exit)
    /// rather than exiting for a reason in kvm_run.
    /// </summary>
    public bool Run()
    {
        if (_tid == 0) _tid = (int)LibC.syscall(186 /* SYS_gettid */); // once: a vCPU stays on its thread
        int r = LibC.ioctl(_fd.Fd, unchecked((int)KVM_RUN), 0);
        if (r < 0)
        {
            int err = LibC.errno;
            if (err == LibC.EINTR || err == LibC.EAGAIN) return false;
            throw new SysException("KVM_RUN", err);
        }
        return true;
    }

    /// <summary>Makes a running (or about to run) KVM_RUN return soon: immediate_exit plus a signal to the thread.</summary>
    public void Kick()
    {
        _run->immediate_exit = 1;
        if (_tid != 0) LibC.syscall(234 /* SYS_tgkill */, (int)LibC.getpid(), _tid, KickSignal.Number);
    }

    public kvm_regs GetRegs() { kvm_regs r; Sys.Ioctl(_fd, KVM_GET_REGS, &r, "KVM_GET_REGS"); return r; }
    public void SetRegs(in kvm_regs r) { fixed (kvm_regs* p = &r) Sys.Ioctl(_fd, KVM_SET_REGS, p, "KVM_SET_REGS"); }
    public kvm_sregs GetSregs() { kvm_sregs s; Sys.Ioctl(_fd, KVM_GET_SREGS, &s, "KVM_GET_SREGS"); return s; }
    public void SetSregs(in kvm_sregs s) { fixed (kvm_sregs* p = &s) Sys.Ioctl(_fd, KVM_SET_SREGS, p, "KVM_SET_SREGS"); }
    public kvm_fpu GetFpu() { kvm_fpu f; Sys.Ioctl(_fd, KVM_GET_FPU, &f, "KVM_GET_FPU"); return f; }
    public void SetFpu(in kvm_fpu f) { fixed (kvm_fpu* p = &f) Sys.Ioctl(_fd, KVM_SET_FPU, p, "KVM_SET_FPU"); }
    public kvm_lapic_state GetLapic() { kvm_lapic_state l; Sys.Ioctl(_fd, KVM_GET_LAPIC, &l, "KVM_GET_LAPIC"); return l; }
    public void SetLapic(in kvm_lapic_state l) { fixed (kvm_lapic_state* p = &l) Sys.Ioctl(_fd, KVM_SET_LAPIC, p, "KVM_SET_LAPIC"); }

    public void SetMsrs(ReadOnlySpan<kvm_msr_entry> msrs)
    {
        byte* buf = stackalloc byte[sizeof(kvm_msrs) + msrs.Length * sizeof(kvm_msr_entry)];
        ((kvm_msrs*)buf)->nmsrs = (uint)msrs.Length;
        msrs.CopyTo(new Span<kvm_msr_entry>(buf + sizeof(kvm_msrs), msrs.Length));
        int n = Sys.Ioctl(_fd, KVM_SET_MSRS, buf, "KVM_SET_MSRS");
        if (n != msrs.Length)
            throw new EngineException(ErrorId.KvmFailed, $"KVM_SET_MSRS accepted {n} of {msrs.Length} MSRs (rejected MSR {msrs[n].index:x})");
    }

    public void SetCpuid(ReadOnlySpan<kvm_cpuid_entry2> entries)
    {
        byte[] buf = new byte[sizeof(kvm_cpuid2) + entries.Length * sizeof(kvm_cpuid_entry2)];
        fixed (byte* p = buf)
        {
            ((kvm_cpuid2*)p)->nent = (uint)entries.Length;
            entries.CopyTo(new Span<kvm_cpuid_entry2>(p + sizeof(kvm_cpuid2), entries.Length));
            Sys.Ioctl(_fd, KVM_SET_CPUID2, p, "KVM_SET_CPUID2");
        }
    }

    public void Dispose()
    {
        if (_run != null)
        {
            Sys.Unmap((nint)_run, (ulong)_mmapSize);
            _run = null;
        }
        _fd.Dispose();
    }
}

/// <summary>
/// The signal that kicks a vCPU thread out of KVM_RUN. It needs a handler
/// (an ignored signal would not interrupt the ioctl); the handler does nothing.
/// </summary>
public static class KickSignal
{
    public const int Number = 10; // SIGUSR1
    private static PosixSignalRegistration? _registration;

    public static void Install() =>
        _registration ??= PosixSignalRegistration.Create((PosixSignal)Number, ctx => ctx.Cancel = true);
}
