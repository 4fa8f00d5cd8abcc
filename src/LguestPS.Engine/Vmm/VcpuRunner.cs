using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Memory;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Vmm;

/*L:110
 * The heart of the launcher, as run_guest() was in the seed: enter the guest,
 * and when it comes back, do what it asked and go round again. Where lguest
 * decoded IN and OUT instructions itself, KVM hands us the port, the size and
 * the data; we only dispatch. Anything we cannot make sense of stops the VM
 * with a reason, never the host.
 */
public sealed unsafe class VcpuRunner
{
    private readonly KvmVcpu _vcpu;
    private readonly IoBus _io;
    private readonly MmioBus _mmio;
    private readonly GuestMemory _mem;
    private readonly StopLatch _stop;

    public VcpuRunner(KvmVcpu vcpu, IoBus io, MmioBus mmio, GuestMemory mem, StopLatch stop)
    {
        _vcpu = vcpu;
        _io = io;
        _mmio = mmio;
        _mem = mem;
        _stop = stop;
    }

    /// <summary>Runs until the VM stops for any reason (this vCPU's or another's).</summary>
    public void Run()
    {
        try
        {
            while (!_stop.IsSet)
            {
                if (!_vcpu.Run()) continue; // kicked: the loop condition decides
                var exit = HandleExit();
                if (exit is not null) _stop.TrySet(exit);
            }
        }
        catch (EngineException e)
        {
            _stop.TrySet(new VmExit(ExitReason.KvmError, $"vCPU {_vcpu.Id}: {e.Message}"));
        }
        catch (Exception e)
        {
            _stop.TrySet(new VmExit(ExitReason.EngineError, $"vCPU {_vcpu.Id}: {e.GetType().Name}: {e.Message}"));
        }
    }

    private VmExit? HandleExit()
    {
        kvm_run* run = _vcpu.RunState;
        switch (run->exit_reason)
        {
            case KVM_EXIT_IO:
                HandleIo(ref _vcpu.Exit<kvm_run_io>());
                return null;
            case KVM_EXIT_MMIO:
                HandleMmio(ref _vcpu.Exit<kvm_run_mmio>());
                return null;
            case KVM_EXIT_INTR:
                return null;
            case KVM_EXIT_SHUTDOWN:
                return new VmExit(ExitReason.TripleFault, $"the guest triple-faulted (vCPU {_vcpu.Id}, {Where()})");
            case KVM_EXIT_HLT:
                return new VmExit(ExitReason.PowerOff, "the guest halted");
            case KVM_EXIT_SYSTEM_EVENT:
                return SystemEvent(_vcpu.Exit<kvm_run_system_event>().type);
            case KVM_EXIT_INTERNAL_ERROR:
                return InternalError();
            case KVM_EXIT_FAIL_ENTRY:
                return new VmExit(ExitReason.KvmError,
                    $"KVM could not enter the guest (hardware reason 0x{_vcpu.Exit<kvm_run_fail_entry>().hardware_entry_failure_reason:x})");
            default:
                return new VmExit(ExitReason.KvmError, $"unexpected KVM exit reason {run->exit_reason} ({Where()})");
        }
    }

    private void HandleIo(ref kvm_run_io io)
    {
        var data = _vcpu.IoData(io);
        int size = io.size;
        if (size is not (1 or 2 or 4)) return; // KVM only sends these; anything else is not ours to guess
        for (int i = 0; i < (int)io.count; i++)
        {
            var d = data.Slice(i * size, size);
            if (io.direction == KVM_EXIT_IO_OUT)
            {
                uint v = size switch { 1 => d[0], 2 => BinaryPrimitives.ReadUInt16LittleEndian(d), _ => BinaryPrimitives.ReadUInt32LittleEndian(d) };
                _io.Write(io.port, size, v);
            }
            else
            {
                uint v = _io.Read(io.port, size);
                switch (size)
                {
                    case 1: d[0] = (byte)v; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)v); break;
                    default: BinaryPrimitives.WriteUInt32LittleEndian(d, v); break;
                }
            }
        }
    }

    private void HandleMmio(ref kvm_run_mmio m)
    {
        int len = (int)Math.Min(m.len, 8u);
        fixed (byte* p = m.data)
        {
            var d = new Span<byte>(p, len);
            if (m.is_write != 0) _mmio.Write(m.phys_addr, d);
            else _mmio.Read(m.phys_addr, d);
        }
    }

    private static VmExit SystemEvent(uint type) => type switch
    {
        KVM_SYSTEM_EVENT_SHUTDOWN => new VmExit(ExitReason.PowerOff, "the guest powered off"),
        KVM_SYSTEM_EVENT_RESET => new VmExit(ExitReason.Reboot, "the guest rebooted"),
        KVM_SYSTEM_EVENT_CRASH => new VmExit(ExitReason.Panic, "the guest reported a crash (KVM system event)"),
        _ => new VmExit(ExitReason.KvmError, $"unknown KVM system event {type}"),
    };

    private VmExit InternalError()
    {
        ref var ie = ref _vcpu.Exit<kvm_run_internal>();
        if (ie.suberror == KVM_INTERNAL_ERROR_EMULATION)
        {
            ref var ef = ref _vcpu.Exit<kvm_run_emulation_failure>();
            string bytes;
            if (ie.ndata >= 2 && (ef.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0 && ef.insn_size > 0)
                fixed (byte* b = ef.insn_bytes) bytes = Hex(new ReadOnlySpan<byte>(b, Math.Min((int)ef.insn_size, 15)));
            else
                bytes = InstructionBytes();
            return new VmExit(ExitReason.EmulationFailure,
                $"KVM cannot emulate the guest instruction at {Where()}: {bytes}");
        }
        string what = ie.suberror switch
        {
            KVM_INTERNAL_ERROR_SIMUL_EX => "an exception while delivering an exception",
            KVM_INTERNAL_ERROR_DELIVERY_EV => "an event it could not deliver",
            _ => $"internal error {ie.suberror}",
        };
        return new VmExit(ExitReason.InternalError, $"KVM hit {what} ({Where()})");
    }

    private string Where()
    {
        try
        {
            var r = _vcpu.GetRegs();
            return $"RIP 0x{r.rip:x}";
        }
        catch (EngineException) { return "RIP unknown"; }
    }

    /// <summary>The bytes at the guest's RIP, found by walking its page tables (diagnostics only).</summary>
    private string InstructionBytes()
    {
        try
        {
            var r = _vcpu.GetRegs();
            var s = _vcpu.GetSregs();
            if (PageWalk.Translate(_mem, s.cr3, s.cr0, s.cr4, s.efer, r.rip) is ulong gpa && _mem.Contains(gpa, 15))
                return Hex(_mem.Slice(gpa, 15));
        }
        catch (Exception e) when (e is EngineException or GuestMemoryException) { }
        return "(instruction bytes unavailable)";
    }

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexString(b).ToLowerInvariant() is var h
        ? string.Join(' ', Enumerable.Range(0, h.Length / 2).Select(i => h.Substring(i * 2, 2)))
        : "";
}
