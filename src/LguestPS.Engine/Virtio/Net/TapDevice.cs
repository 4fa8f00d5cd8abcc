using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Virtio.Net;

/*L:570
 * The host's end of the guest's network cable: a tap device, which is to
 * the host an Ethernet interface like any other, and to us a file whose
 * reads are the frames the host sends that way and whose writes are frames
 * arriving from the wire. The seed's get_tun_device and configure_device,
 * with every failure turned into one line that says what to do.
 *
 * IFF_VNET_HDR puts a virtio_net_hdr in front of every frame, in both
 * directions: the very header the guest's driver reads and writes, so frames
 * pass straight through with their checksum and segmentation offload
 * requests intact. We set its size to 12, the virtio 1.x header that always
 * ends in num_buffers (the kernel skips those two bytes: they are ours).
 *
 * The tap is not persistent: it exists while our descriptor is open, and the
 * kernel closes that however the process ends (even kill -9), so no stray
 * interface outlives a VM. The descriptor is close-on-exec, so no child can
 * keep it alive either.
 */
public sealed class TapDevice : IDisposable
{
    /// <summary>sizeof(struct virtio_net_hdr_v1): what the tap prepends to every frame.</summary>
    public const int VnetHdrSize = 12;
    /// <summary>The interface name pattern; the kernel fills in the number.</summary>
    public const string NamePattern = "lguest%d";

    /// <summary>Checksum and segmentation offloads the seed asked for, for a driver that takes them all.</summary>
    public const uint SeedOffloads = Tun.TUN_F_CSUM | Tun.TUN_F_TSO4 | Tun.TUN_F_TSO6 | Tun.TUN_F_TSO_ECN;

    /// <summary>The interface's name on the host, e.g. lguest0.</summary>
    public string Name { get; }

    /// <summary>The tap's descriptor (non-blocking): frames with their virtio-net header.</summary>
    public SafeFd Fd { get; }

    private TapDevice(string name, SafeFd fd)
    {
        Name = name;
        Fd = fd;
    }

    /// <summary>
    /// Creates a tap and gives its host side <paramref name="address"/>, or adds it to <paramref name="bridge"/>;
    /// either way it is up. Every failure is an EngineException naming <paramref name="context"/> (the option the
    /// user typed), and leaves nothing behind.
    /// </summary>
    public static TapDevice Create(Ipv4Net? address, string? bridge, string context, string tunPath = Tun.DevicePath)
    {
        if ((address is null) == (bridge is null)) throw new ArgumentException("an address or a bridge, not both");
        if (bridge is not null && (bridge.Length >= ifreq.IFNAMSIZ || bridge.Any(c => c is '/' or ' ' or ':' || char.IsControl(c) || c > 0x7E)))
            throw new EngineException(ErrorId.InvalidArgument, $"{context}: '{bridge}' cannot be an interface name (at most {ifreq.IFNAMSIZ - 1} printable characters, no '/', ':' or blanks)");

        var fd = OpenTun(tunPath, context);
        try
        {
            string name = Attach(fd, context);
            var tap = new TapDevice(name, fd);
            using var sock = ControlSocket();
            if (bridge is not null) AddToBridge(sock, name, bridge, context);
            else Configure(sock, name, address!.Value, context);
            BringUp(sock, name, context);
            Log.Verbose(bridge is not null ? $"net: tap {name} attached to bridge {bridge}" : $"net: tap {name} at {address}");
            return tap;
        }
        catch
        {
            fd.Dispose(); // the tap goes with its descriptor
            throw;
        }
    }

    private static SafeFd OpenTun(string path, string context)
    {
        try { return Sys.Open(path, O_RDWR | O_NONBLOCK, "tun device"); }
        catch (SysException e) when (e.Errno is 1 or 13)
        {
            throw new EngineException(ErrorId.PermissionDenied, $"{context}: no permission to open {path}: run as root or give lguest CAP_NET_ADMIN");
        }
        catch (SysException e) when (e.Errno is 2 or 6 or 19) // ENOENT, ENXIO, ENODEV
        {
            throw new EngineException(ErrorId.DeviceInvalid,
                $"{context}: {path} is missing or has no driver behind it: load the tun module (modprobe tun)");
        }
    }

    // TUNSETIFF makes the descriptor a new tap; then the header size and the seed's offloads.
    private static string Attach(SafeFd fd, string context)
    {
        var ifr = new ifreq { Name = NamePattern, ifr_flags = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR };
        try { Sys.Ioctl(fd, Tun.TUNSETIFF, ref ifr, "TUNSETIFF"); }
        catch (SysException e) when (e.Errno is 1 or 13)
        {
            throw new EngineException(ErrorId.PermissionDenied, $"{context}: no permission to create a tap device: run as root or give lguest CAP_NET_ADMIN");
        }
        catch (SysException e)
        {
            throw new EngineException(ErrorId.DeviceInvalid, $"{context}: cannot create a tap device: {e.Message}");
        }
        int hdr = VnetHdrSize;
        Sys.Ioctl(fd, Tun.TUNSETVNETHDRSZ, ref hdr, "TUNSETVNETHDRSZ");
        // No offloads until a driver says what it takes (NetDevice sets them at DRIVER_OK): a frame queued
        // before that must arrive fully checksummed and unsegmented, whatever the driver then negotiates.
        Sys.Ioctl(fd, Tun.TUNSETOFFLOAD, 0u, "TUNSETOFFLOAD");
        return ifr.Name;
    }

    /// <summary>
    /// Tells the tap which offloads the reader takes (TUN_F_*): the host then sends only frames the guest
    /// agreed to handle, finishing checksums and segmenting for it otherwise.
    /// </summary>
    public void SetOffload(uint tunFlags) => Sys.Ioctl(Fd, Tun.TUNSETOFFLOAD, tunFlags, "TUNSETOFFLOAD");

    private static SafeFd ControlSocket()
    {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) throw Sys.Fail("socket(AF_INET)");
        return new SafeFd(s);
    }

    private static void Configure(SafeFd sock, string name, Ipv4Net net, string context)
    {
        var ifr = new ifreq { Name = name, sin_family = NetIf.AF_INET, sin_addr = ToNetworkOrder(net.Address) };
        Ioctl(sock, NetIf.SIOCSIFADDR, ref ifr, context, $"give {name} the address {net}");
        ifr = new ifreq { Name = name, sin_family = NetIf.AF_INET, sin_addr = ToNetworkOrder(net.Mask) };
        Ioctl(sock, NetIf.SIOCSIFNETMASK, ref ifr, context, $"set {name}'s netmask");
    }

    private static void AddToBridge(SafeFd sock, string name, string bridge, string context)
    {
        var ifr = new ifreq { Name = name };
        Ioctl(sock, NetIf.SIOCGIFINDEX, ref ifr, context, $"find {name}");
        int index = ifr.ifr_ifindex;
        ifr = new ifreq { Name = bridge, ifr_ifindex = index };
        try { Sys.Ioctl(sock, NetIf.SIOCBRADDIF, ref ifr, "SIOCBRADDIF"); }
        catch (SysException e) when (e.Errno is 19 or 92) // ENODEV; ENOPKG: no bridge module, so no bridge either
        {
            throw new EngineException(ErrorId.DeviceInvalid, $"{context}: no bridge named {bridge}: create it with `ip link add {bridge} type bridge`");
        }
        catch (SysException e) when (e.Errno is 95 or 22) // EOPNOTSUPP, EINVAL
        {
            throw new EngineException(ErrorId.DeviceInvalid, $"{context}: {bridge} is not a bridge: give the name of a bridge (ip link add <name> type bridge)");
        }
        catch (SysException e) when (e.Errno is not (1 or 13))
        {
            throw new EngineException(ErrorId.DeviceInvalid, $"{context}: cannot add {name} to bridge {bridge}: {e.Message}");
        }
    }

    private static void BringUp(SafeFd sock, string name, string context)
    {
        var ifr = new ifreq { Name = name };
        Ioctl(sock, NetIf.SIOCGIFFLAGS, ref ifr, context, $"read {name}'s flags");
        ifr.ifr_flags |= NetIf.IFF_UP;
        Ioctl(sock, NetIf.SIOCSIFFLAGS, ref ifr, context, $"bring {name} up");
    }

    private static void Ioctl(SafeFd sock, uint request, ref ifreq ifr, string context, string what)
    {
        try
        {
            Sys.Ioctl(sock, request, ref ifr, what);
        }
        catch (SysException e) when (e.Errno is 1 or 13)
        {
            throw new EngineException(ErrorId.PermissionDenied, $"{context}: no permission to {what}: run as root or give lguest CAP_NET_ADMIN");
        }
        catch (SysException e)
        {
            throw new EngineException(ErrorId.DeviceInvalid, $"{context}: cannot {what}: {Sys.StrError(e.Errno)}");
        }
    }

    private static uint ToNetworkOrder(uint hostOrder) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(hostOrder);

    public void Dispose() => Fd.Dispose();
}
