using System.Runtime.InteropServices;

namespace LguestPS.Engine.Virtio.Queue;

/// <summary>struct virtq_desc (§2.7.5). Read whole, once: the guest may change it under us.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct VirtqDesc
{
    public ulong Addr;
    public uint Len;
    public ushort Flags;
    public ushort Next;
}
