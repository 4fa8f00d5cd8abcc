namespace LguestPS.Engine.Kvm;

/*
 * One exit from KVM_RUN, read out of kvm_run by the Kvm layer so that no one
 * above it touches the shared page. For I/O and MMIO, Data is a window on
 * kvm_run itself: the bytes the guest wrote, or the place to put the bytes
 * it reads, which KVM hands back to the guest on the next KVM_RUN. So an
 * exit is a ref struct, good until the next Run of its vCPU and no longer.
 */
public readonly ref struct VcpuExit
{
    public VcpuExitKind Kind { get; init; }

    /// <summary>Io: the port. Mmio: the guest-physical address.</summary>
    public ulong Address { get; init; }

    /// <summary>Io: the width of one access (1, 2 or 4). Mmio: the length of the access (at most 8).</summary>
    public int Size { get; init; }

    /// <summary>Io: how many accesses of <see cref="Size"/> bytes (a string I/O instruction makes more than one).</summary>
    public int Count { get; init; }

    /// <summary>Io and Mmio: an OUT or store (the guest's bytes are in Data), or an IN or load (fill Data).</summary>
    public bool IsWrite { get; init; }

    /// <summary>Io and Mmio: Count * Size bytes inside kvm_run.</summary>
    public Span<byte> Data { get; init; }

    /// <summary>EmulationFailure: the instruction's bytes, when KVM gave them (empty otherwise).</summary>
    public ReadOnlySpan<byte> Instruction { get; init; }

    /// <summary>FailEntry: the hardware reason. Unknown: the exit reason or system event number.</summary>
    public ulong Code { get; init; }

    /// <summary>InternalError: what KVM says went wrong.</summary>
    public string? Detail { get; init; }
}
