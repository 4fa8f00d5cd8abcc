using System.Runtime.InteropServices;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>
/// The tap and virtio-net mirrors against the real headers (linux/if_tun.h, linux/if.h, linux/sockios.h,
/// linux/virtio_net.h): a C program prints every number we rely on, and we compare.
/// </summary>
public unsafe class NetStructLayoutTests
{
    private static readonly Lazy<Dictionary<string, long>> Real = new(CompileAndRun);

    private static Dictionary<string, long> CompileAndRun()
    {
        return CHeaderProbe.Run("netlayout", """
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/ioctl.h>
            #include <net/if.h>
            #include <netinet/in.h>
            #include <linux/if_tun.h>
            #include <linux/sockios.h>
            #include <linux/virtio_net.h>
            #define V(n) printf("%s %lld\n", #n, (long long)(n));
            int main(void) {
              V(sizeof(struct ifreq)) V(offsetof(struct ifreq, ifr_flags)) V(offsetof(struct ifreq, ifr_ifindex))
              V(offsetof(struct ifreq, ifr_addr)) V(IFNAMSIZ) V(IFF_UP)
              V(offsetof(struct sockaddr_in, sin_family)) V(offsetof(struct sockaddr_in, sin_port)) V(offsetof(struct sockaddr_in, sin_addr))
              V(TUNSETIFF) V(TUNSETPERSIST) V(TUNSETOFFLOAD) V(TUNGETIFF) V(TUNGETVNETHDRSZ) V(TUNSETVNETHDRSZ)
              V(IFF_TUN) V(IFF_TAP) V(IFF_NO_PI) V(IFF_VNET_HDR) V(IFF_PERSIST)
              V(TUN_F_CSUM) V(TUN_F_TSO4) V(TUN_F_TSO6) V(TUN_F_TSO_ECN) V(TUN_F_UFO)
              V(SIOCGIFFLAGS) V(SIOCSIFFLAGS) V(SIOCSIFADDR) V(SIOCSIFNETMASK) V(SIOCGIFINDEX) V(SIOCBRADDIF)
              V(sizeof(struct virtio_net_hdr_v1)) V(offsetof(struct virtio_net_hdr_v1, num_buffers))
              V(offsetof(struct virtio_net_hdr_v1, gso_type)) V(offsetof(struct virtio_net_hdr_v1, hdr_len))
              V(offsetof(struct virtio_net_hdr_v1, gso_size)) V(offsetof(struct virtio_net_hdr_v1, csum_start))
              V(offsetof(struct virtio_net_hdr_v1, csum_offset))
              V(VIRTIO_NET_HDR_F_NEEDS_CSUM) V(VIRTIO_NET_HDR_F_DATA_VALID) V(VIRTIO_NET_HDR_GSO_TCPV4)
              V(VIRTIO_NET_HDR_GSO_UDP) V(VIRTIO_NET_HDR_GSO_TCPV6) V(VIRTIO_NET_HDR_GSO_ECN)
              V(VIRTIO_NET_F_CSUM) V(VIRTIO_NET_F_GUEST_CSUM) V(VIRTIO_NET_F_MAC) V(VIRTIO_NET_F_GUEST_TSO4)
              V(VIRTIO_NET_F_GUEST_TSO6) V(VIRTIO_NET_F_GUEST_ECN) V(VIRTIO_NET_F_HOST_TSO4) V(VIRTIO_NET_F_HOST_TSO6)
              V(VIRTIO_NET_F_HOST_ECN) V(VIRTIO_NET_F_MRG_RXBUF) V(VIRTIO_NET_F_STATUS) V(VIRTIO_NET_S_LINK_UP)
              V(offsetof(struct virtio_net_config, mac)) V(offsetof(struct virtio_net_config, status))
              V(offsetof(struct virtio_net_config, max_virtqueue_pairs))
              return 0;
            }
            """);
    }

    private static long R(string name) => Real.Value[name];

    [Fact]
    public void IfreqMatchesLinuxIfH()
    {
        Assert.Equal(R("sizeof(struct ifreq)"), sizeof(ifreq));
        Assert.Equal(R("IFNAMSIZ"), ifreq.IFNAMSIZ);
        Assert.Equal(R("offsetof(struct ifreq, ifr_flags)"), (long)Marshal.OffsetOf<ifreq>(nameof(ifreq.ifr_flags)));
        Assert.Equal(R("offsetof(struct ifreq, ifr_ifindex)"), (long)Marshal.OffsetOf<ifreq>(nameof(ifreq.ifr_ifindex)));
        long addr = R("offsetof(struct ifreq, ifr_addr)");
        Assert.Equal(addr + R("offsetof(struct sockaddr_in, sin_family)"), (long)Marshal.OffsetOf<ifreq>(nameof(ifreq.sin_family)));
        Assert.Equal(addr + R("offsetof(struct sockaddr_in, sin_port)"), (long)Marshal.OffsetOf<ifreq>(nameof(ifreq.sin_port)));
        Assert.Equal(addr + R("offsetof(struct sockaddr_in, sin_addr)"), (long)Marshal.OffsetOf<ifreq>(nameof(ifreq.sin_addr)));
        Assert.Equal(R("IFF_UP"), NetIf.IFF_UP);
    }

    [Fact]
    public void IoctlNumbersAndFlagsMatchTheHeaders()
    {
        Assert.Equal(R("TUNSETIFF"), Tun.TUNSETIFF);
        Assert.Equal(R("TUNSETPERSIST"), Tun.TUNSETPERSIST);
        Assert.Equal(R("TUNSETOFFLOAD"), Tun.TUNSETOFFLOAD);
        Assert.Equal(R("TUNGETIFF"), Tun.TUNGETIFF);
        Assert.Equal(R("TUNGETVNETHDRSZ"), Tun.TUNGETVNETHDRSZ);
        Assert.Equal(R("TUNSETVNETHDRSZ"), Tun.TUNSETVNETHDRSZ);
        Assert.Equal(R("IFF_TUN"), Tun.IFF_TUN);
        Assert.Equal(R("IFF_TAP"), Tun.IFF_TAP);
        Assert.Equal(R("IFF_NO_PI"), Tun.IFF_NO_PI);
        Assert.Equal(R("IFF_VNET_HDR"), Tun.IFF_VNET_HDR);
        Assert.Equal(R("IFF_PERSIST"), Tun.IFF_PERSIST);
        Assert.Equal(R("TUN_F_CSUM"), Tun.TUN_F_CSUM);
        Assert.Equal(R("TUN_F_TSO4"), Tun.TUN_F_TSO4);
        Assert.Equal(R("TUN_F_TSO6"), Tun.TUN_F_TSO6);
        Assert.Equal(R("TUN_F_TSO_ECN"), Tun.TUN_F_TSO_ECN);
        Assert.Equal(R("TUN_F_UFO"), Tun.TUN_F_UFO);
        Assert.Equal(R("SIOCGIFFLAGS"), NetIf.SIOCGIFFLAGS);
        Assert.Equal(R("SIOCSIFFLAGS"), NetIf.SIOCSIFFLAGS);
        Assert.Equal(R("SIOCSIFADDR"), NetIf.SIOCSIFADDR);
        Assert.Equal(R("SIOCSIFNETMASK"), NetIf.SIOCSIFNETMASK);
        Assert.Equal(R("SIOCGIFINDEX"), NetIf.SIOCGIFINDEX);
        Assert.Equal(R("SIOCBRADDIF"), NetIf.SIOCBRADDIF);
    }

    [Fact]
    public void VirtioNetHeaderFeaturesAndConfigMatchLinuxVirtioNetH()
    {
        Assert.Equal(R("sizeof(struct virtio_net_hdr_v1)"), sizeof(VirtioNetHdr));
        Assert.Equal(R("sizeof(struct virtio_net_hdr_v1)"), TapDevice.VnetHdrSize);
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, num_buffers)"), VirtioNetHdr.NumBuffersOffset);
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, num_buffers)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.NumBuffers)));
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, gso_type)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.GsoType)));
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, hdr_len)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.HdrLen)));
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, gso_size)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.GsoSize)));
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, csum_start)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.CsumStart)));
        Assert.Equal(R("offsetof(struct virtio_net_hdr_v1, csum_offset)"), (long)Marshal.OffsetOf<VirtioNetHdr>(nameof(VirtioNetHdr.CsumOffset)));
        Assert.Equal(R("VIRTIO_NET_HDR_F_NEEDS_CSUM"), VirtioNetHdr.F_NEEDS_CSUM);
        Assert.Equal(R("VIRTIO_NET_HDR_F_DATA_VALID"), VirtioNetHdr.F_DATA_VALID);
        Assert.Equal(R("VIRTIO_NET_HDR_GSO_TCPV4"), VirtioNetHdr.GSO_TCPV4);
        Assert.Equal(R("VIRTIO_NET_HDR_GSO_UDP"), VirtioNetHdr.GSO_UDP);
        Assert.Equal(R("VIRTIO_NET_HDR_GSO_TCPV6"), VirtioNetHdr.GSO_TCPV6);
        Assert.Equal(R("VIRTIO_NET_HDR_GSO_ECN"), VirtioNetHdr.GSO_ECN);
        Assert.Equal(R("VIRTIO_NET_F_CSUM"), NetDevice.FeatureCsum);
        Assert.Equal(R("VIRTIO_NET_F_GUEST_CSUM"), NetDevice.FeatureGuestCsum);
        Assert.Equal(R("VIRTIO_NET_F_MAC"), NetDevice.FeatureMac);
        Assert.Equal(R("VIRTIO_NET_F_GUEST_TSO4"), NetDevice.FeatureGuestTso4);
        Assert.Equal(R("VIRTIO_NET_F_GUEST_TSO6"), NetDevice.FeatureGuestTso6);
        Assert.Equal(R("VIRTIO_NET_F_GUEST_ECN"), NetDevice.FeatureGuestEcn);
        Assert.Equal(R("VIRTIO_NET_F_HOST_TSO4"), NetDevice.FeatureHostTso4);
        Assert.Equal(R("VIRTIO_NET_F_HOST_TSO6"), NetDevice.FeatureHostTso6);
        Assert.Equal(R("VIRTIO_NET_F_HOST_ECN"), NetDevice.FeatureHostEcn);
        Assert.Equal(R("VIRTIO_NET_F_MRG_RXBUF"), NetDevice.FeatureMrgRxbuf);
        Assert.Equal(R("VIRTIO_NET_F_STATUS"), NetDevice.FeatureStatus);
        Assert.Equal(R("VIRTIO_NET_S_LINK_UP"), NetDevice.StatusLinkUp);
        Assert.Equal(0, R("offsetof(struct virtio_net_config, mac)"));
        Assert.Equal(6, R("offsetof(struct virtio_net_config, status)"));
        Assert.Equal(8, R("offsetof(struct virtio_net_config, max_virtqueue_pairs)"));
    }
}
