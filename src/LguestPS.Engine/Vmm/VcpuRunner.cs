using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Kvm;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Vmm;

/*L:660
 * The heart of the launcher, as run_guest() was in the seed: enter the guest,
 * and when it comes back, do what it asked and go round again. Where lguest
 * decoded IN and OUT instructions itself, KVM hands us the port, the size and
 * the data; we only dispatch. Anything we cannot make sense of stops the VM
 * with a reason, never the host.
 */
public sealed class VcpuRunner
{
    private readonly KvmVcpu _vcpu;
    private readonly IoBus _io;
    private readonly MmioBus _mmio;
    private readonly GuestMemory _mem;
    private readonly StopLatch _stop;
    private readonly PauseGate _gate;
    private readonly Action _unkick; // made once: a method group passed per exit would allocate a delegate each time

    public VcpuRunner(KvmVcpu vcpu, IoBus io, MmioBus mmio, GuestMemory mem, StopLatch stop, PauseGate gate)
    {
        _gate = gate;
        _unkick = vcpu.ClearKick;
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
                _gate.Pass(_unkick);
                if (_stop.IsSet) break;
                var exit = Handle(_vcpu.Run());
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

    /// <summary>Does what the exit asks; returns why the VM must stop, or null to enter the guest again.</summary>
    private VmExit? Handle(VcpuExit exit)
    {
        switch (exit.Kind)
        {
            case VcpuExitKind.Kicked:
                return null; // the loop condition decides
            case VcpuExitKind.Io:
                HandleIo((ushort)exit.Address, exit.Size, exit.Count, exit.IsWrite, exit.Data);
                return null;
            case VcpuExitKind.Mmio:
                if (exit.IsWrite) _mmio.Write(exit.Address, exit.Data);
                else _mmio.Read(exit.Address, exit.Data);
                return null;
            case VcpuExitKind.TripleFault:
                return new VmExit(ExitReason.TripleFault, $"the guest triple-faulted (vCPU {_vcpu.Id}, {Where()})");
            case VcpuExitKind.Halt:
                return new VmExit(ExitReason.PowerOff, "the guest halted");
            case VcpuExitKind.PowerOff:
                return new VmExit(ExitReason.PowerOff, "the guest powered off");
            case VcpuExitKind.Reset:
                return new VmExit(ExitReason.Reboot, "the guest rebooted");
            case VcpuExitKind.Crash:
                return new VmExit(ExitReason.Panic, "the guest reported a crash (KVM system event)");
            case VcpuExitKind.EmulationFailure:
                string bytes = exit.Instruction.Length > 0 ? Hex(exit.Instruction) : InstructionBytes();
                return new VmExit(ExitReason.EmulationFailure, $"KVM cannot emulate the guest instruction at {Where()}: {bytes}");
            case VcpuExitKind.InternalError:
                return new VmExit(ExitReason.InternalError, $"KVM hit {exit.Detail} ({Where()})");
            case VcpuExitKind.FailEntry:
                return new VmExit(ExitReason.KvmError, $"KVM could not enter the guest (hardware reason 0x{exit.Code:x})");
            default:
                return new VmExit(ExitReason.KvmError, $"{exit.Detail} ({Where()})");
        }
    }

    private void HandleIo(ushort port, int size, int count, bool isWrite, Span<byte> data)
    {
        if (size is not (1 or 2 or 4)) return; // KVM only sends these; anything else is not ours to guess
        for (int i = 0; i < count; i++)
        {
            var d = data.Slice(i * size, size);
            if (isWrite)
            {
                uint v = size switch { 1 => d[0], 2 => BinaryPrimitives.ReadUInt16LittleEndian(d), _ => BinaryPrimitives.ReadUInt32LittleEndian(d) };
                _io.Write(port, size, v);
            }
            else
            {
                uint v = _io.Read(port, size);
                switch (size)
                {
                    case 1: d[0] = (byte)v; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)v); break;
                    default: BinaryPrimitives.WriteUInt32LittleEndian(d, v); break;
                }
            }
        }
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
