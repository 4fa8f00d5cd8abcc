using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace LguestPS.Engine.Virtio.Block;

/// <summary>struct virtio_blk_req's header (virtio 1.2 section 5.2.6).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VirtioBlkOutHdr
{
    public uint Type;
    public uint Reserved;
    public ulong Sector;
}
