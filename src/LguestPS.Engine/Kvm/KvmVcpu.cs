using System.Runtime.InteropServices;
using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
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
public sealed partial class KvmVcpu : IDisposable
{
    private readonly SafeFd _fd;
    private readonly int _mmapSize;
    // SAFETY: the kvm_run page KVM shares with us: KVM_GET_VCPU_MMAP_SIZE bytes, mapped
    // in the constructor and unmapped (and nulled) only in Dispose, after the vCPU's thread has stopped.
    private unsafe kvm_run* _run;
    private int _tid;

    public int Id { get; }

    // SAFETY: the mapping is mmapSize bytes of the vCPU's fd, which kvm_run fits inside (KVM says so).
    internal unsafe KvmVcpu(SafeFd fd, int id, int mmapSize)
    {
        _fd = fd;
        Id = id;
        _mmapSize = mmapSize;
        _run = (kvm_run*)Sys.MapShared(fd, (ulong)mmapSize, "kvm_run");
    }

    /*
     * KVM_RUN, and what it left in kvm_run. Every field KVM wrote is read
     * here and nowhere else; an I/O exit's buffer offset is KVM's to choose
     * but is checked to lie inside the mapping before we make a span of it.
     */
    /// <summary>Enters the guest until it needs us; says why it came back (Kicked for EINTR or immediate_exit).</summary>
    public VcpuExit Run()
    {
        if (_tid == 0) _tid = Sys.GetTid(); // once: a vCPU stays on its thread
        int r = LibC.ioctl(_fd.Fd, unchecked((int)KVM_RUN), 0);
        if (r < 0)
        {
            int err = LibC.errno;
            if (err == LibC.EINTR || err == LibC.EAGAIN) return new VcpuExit { Kind = VcpuExitKind.Kicked };
            throw new SysException("KVM_RUN", err);
        }
        return Decode();
    }

    // SAFETY: _run maps the whole kvm_run page (KVM_GET_VCPU_MMAP_SIZE bytes) for the life of this object, and
    // exit_union is large enough for each view read here (Interop's layout tests check their sizes).
    private unsafe VcpuExit Decode()
    {
        byte* u = _run->exit_union;
        switch (_run->exit_reason)
        {
            case KVM_EXIT_IO:
            {
                var io = (kvm_run_io*)u;
                return new VcpuExit
                {
                    Kind = VcpuExitKind.Io, Address = io->port, Size = io->size, Count = (int)io->count,
                    IsWrite = io->direction == KVM_EXIT_IO_OUT, Data = IoData(*io),
                };
            }
            case KVM_EXIT_MMIO:
            {
                var m = (kvm_run_mmio*)u;
                return new VcpuExit
                {
                    Kind = VcpuExitKind.Mmio, Address = m->phys_addr, Size = (int)Math.Min(m->len, 8u), Count = 1,
                    IsWrite = m->is_write != 0, Data = new Span<byte>(m->data, (int)Math.Min(m->len, 8u)),
                };
            }
            case KVM_EXIT_INTR: return new VcpuExit { Kind = VcpuExitKind.Kicked };
            case KVM_EXIT_SHUTDOWN: return new VcpuExit { Kind = VcpuExitKind.TripleFault };
            case KVM_EXIT_HLT: return new VcpuExit { Kind = VcpuExitKind.Halt };
            case KVM_EXIT_SYSTEM_EVENT:
                uint type = ((kvm_run_system_event*)u)->type;
                return type switch
                {
                    KVM_SYSTEM_EVENT_SHUTDOWN => new VcpuExit { Kind = VcpuExitKind.PowerOff },
                    KVM_SYSTEM_EVENT_RESET => new VcpuExit { Kind = VcpuExitKind.Reset },
                    KVM_SYSTEM_EVENT_CRASH => new VcpuExit { Kind = VcpuExitKind.Crash },
                    _ => new VcpuExit { Kind = VcpuExitKind.Unknown, Code = type, Detail = $"unknown KVM system event {type}" },
                };
            case KVM_EXIT_INTERNAL_ERROR:
                var ie = (kvm_run_internal*)u;
                if (ie->suberror == KVM_INTERNAL_ERROR_EMULATION)
                {
                    var ef = (kvm_run_emulation_failure*)u;
                    bool has = ie->ndata >= 2 && (ef->flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0;
                    return new VcpuExit
                    {
                        Kind = VcpuExitKind.EmulationFailure,
                        Instruction = has ? new ReadOnlySpan<byte>(ef->insn_bytes, Math.Min((int)ef->insn_size, 15)) : default,
                    };
                }
                return new VcpuExit
                {
                    Kind = VcpuExitKind.InternalError, Code = ie->suberror,
                    Detail = ie->suberror switch
                    {
                        KVM_INTERNAL_ERROR_SIMUL_EX => "an exception while delivering an exception",
                        KVM_INTERNAL_ERROR_DELIVERY_EV => "an event it could not deliver",
                        _ => $"internal error {ie->suberror}",
                    },
                };
            case KVM_EXIT_FAIL_ENTRY:
                return new VcpuExit { Kind = VcpuExitKind.FailEntry, Code = ((kvm_run_fail_entry*)u)->hardware_entry_failure_reason };
            default:
                return new VcpuExit { Kind = VcpuExitKind.Unknown, Code = _run->exit_reason, Detail = $"unexpected KVM exit reason {_run->exit_reason}" };
        }
    }

    /// <summary>The bytes of an I/O exit's data buffer (inside the kvm_run mapping, bounds-checked).</summary>
    // SAFETY: the offset and length are KVM's; they are checked to lie inside the mapping, after the kvm_run header.
    private unsafe Span<byte> IoData(in kvm_run_io io)
    {
        ulong len = (ulong)io.size * io.count;
        if (io.data_offset + len > (ulong)_mmapSize || io.data_offset < (ulong)sizeof(kvm_run))
            throw new EngineException(ErrorId.KvmFailed, $"KVM reported an I/O buffer outside kvm_run (offset {io.data_offset}, {len} bytes)");
        return new Span<byte>((byte*)_run + io.data_offset, (int)len);
    }

    /// <summary>Makes a running (or about to run) KVM_RUN return soon: immediate_exit plus a signal to the thread.</summary>
    // SAFETY: immediate_exit is a byte inside the mapped kvm_run; KVM reads it on entry, and a racing
    // write of 1 from another thread is exactly what the field is for.
    public unsafe void Kick()
    {
        _run->immediate_exit = 1;
        if (_tid != 0) Sys.TgKill(Environment.ProcessId, _tid, KickSignal.Number);
    }

    /// <summary>Undoes a Kick that was only a pause: the next KVM_RUN enters the guest again.</summary>
    // SAFETY: as Kick; only this vCPU's own thread calls it, between two KVM_RUNs.
    public unsafe void ClearKick() => _run->immediate_exit = 0;

    /// <summary>
    /// Tells the guest's kvmclock that this vCPU was stopped from outside (KVM_KVMCLOCK_CTRL), so its soft-lockup
    /// watchdog forgives the gap. False when the guest has no kvmclock to tell (EINVAL), which is no failure.
    /// </summary>
    public bool MarkClockStopped() => LibC.ioctl(_fd.Fd, unchecked((int)KVM_KVMCLOCK_CTRL), 0) == 0;

    public kvm_regs GetRegs() { kvm_regs r = default; Sys.Ioctl(_fd, KVM_GET_REGS, ref r, "KVM_GET_REGS"); return r; }
    public void SetRegs(kvm_regs r) => Sys.Ioctl(_fd, KVM_SET_REGS, ref r, "KVM_SET_REGS");
    public kvm_sregs GetSregs() { kvm_sregs s = default; Sys.Ioctl(_fd, KVM_GET_SREGS, ref s, "KVM_GET_SREGS"); return s; }
    public void SetSregs(kvm_sregs s) => Sys.Ioctl(_fd, KVM_SET_SREGS, ref s, "KVM_SET_SREGS");
    public kvm_fpu GetFpu() { kvm_fpu f = default; Sys.Ioctl(_fd, KVM_GET_FPU, ref f, "KVM_GET_FPU"); return f; }
    public void SetFpu(kvm_fpu f) => Sys.Ioctl(_fd, KVM_SET_FPU, ref f, "KVM_SET_FPU");
    public kvm_lapic_state GetLapic() { kvm_lapic_state l = default; Sys.Ioctl(_fd, KVM_GET_LAPIC, ref l, "KVM_GET_LAPIC"); return l; }
    public void SetLapic(kvm_lapic_state l) => Sys.Ioctl(_fd, KVM_SET_LAPIC, ref l, "KVM_SET_LAPIC");

    // SAFETY: the stack buffer is sized for the kvm_msrs header and every entry, the entries are copied
    // to just after the header, and KVM_SET_MSRS reads nmsrs entries: all inside the buffer.
    public unsafe void SetMsrs(ReadOnlySpan<kvm_msr_entry> msrs)
    {
        byte* buf = stackalloc byte[sizeof(kvm_msrs) + msrs.Length * sizeof(kvm_msr_entry)];
        ((kvm_msrs*)buf)->nmsrs = (uint)msrs.Length;
        msrs.CopyTo(new Span<kvm_msr_entry>(buf + sizeof(kvm_msrs), msrs.Length));
        int n = Sys.Ioctl(_fd, KVM_SET_MSRS, buf, "KVM_SET_MSRS");
        if (n != msrs.Length)
            throw new EngineException(ErrorId.KvmFailed, $"KVM_SET_MSRS accepted {n} of {msrs.Length} MSRs (rejected MSR {msrs[n].index:x})");
    }

    // SAFETY: as SetMsrs: a pinned buffer holding the kvm_cpuid2 header and exactly nent entries.
    public unsafe void SetCpuid(ReadOnlySpan<kvm_cpuid_entry2> entries)
    {
        byte[] buf = new byte[sizeof(kvm_cpuid2) + entries.Length * sizeof(kvm_cpuid_entry2)];
        fixed (byte* p = buf)
        {
            ((kvm_cpuid2*)p)->nent = (uint)entries.Length;
            entries.CopyTo(new Span<kvm_cpuid_entry2>(p + sizeof(kvm_cpuid2), entries.Length));
            Sys.Ioctl(_fd, KVM_SET_CPUID2, p, "KVM_SET_CPUID2");
        }
    }

    // SAFETY: the mapping is unmapped once and the pointer nulled; nothing dereferences it after Dispose.
    public unsafe void Dispose()
    {
        if (_run != null)
        {
            Sys.Unmap((nint)_run, (ulong)_mmapSize);
            _run = null;
        }
        _fd.Dispose();
    }
}
