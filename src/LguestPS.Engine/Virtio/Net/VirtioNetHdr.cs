using System.Runtime.InteropServices;

namespace LguestPS.Engine.Virtio.Net;

/*
 * struct virtio_net_hdr_v1 (virtio 1.2 section 5.1.6), in front of every
 * frame in both queues, and (IFF_VNET_HDR with TUNSETVNETHDRSZ 12) in front
 * of every frame the tap hands us or takes from us. With VIRTIO_F_VERSION_1
 * its fields are little-endian, as the tap's are on x86: the bytes pass
 * through untouched. The device reads none of it on transmit (the kernel
 * checks it), and on receive writes only num_buffers (and clears flags for a
 * driver without GUEST_CSUM).
 */
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VirtioNetHdr
{
    public const byte F_NEEDS_CSUM = 1, F_DATA_VALID = 2;
    public const byte GSO_NONE = 0, GSO_TCPV4 = 1, GSO_UDP = 3, GSO_TCPV6 = 4, GSO_ECN = 0x80;
    public const int FlagsOffset = 0, NumBuffersOffset = 10;

    public byte Flags;
    public byte GsoType;
    public ushort HdrLen;
    public ushort GsoSize;
    public ushort CsumStart;
    public ushort CsumOffset;
    public ushort NumBuffers;
}
