namespace LguestPS.Engine.Interop;

/// <summary>
/// linux/if_tun.h: the tun/tap character device's ioctls and flags, names verbatim. Numbers come from the
/// _IOW encoding with the size the header gives (TUNSETIFF is declared with int, not struct ifreq).
/// </summary>
public static class Tun
{
    public const string DevicePath = "/dev/net/tun";

    // TUNSETIFF flags (ifr_flags).
    public const short IFF_TUN = 0x0001, IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    public const short IFF_PERSIST = 0x0800;

    // TUNSETOFFLOAD: what the reader of the tap (the guest, through us) can take.
    public const uint TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08, TUN_F_UFO = 0x10;

    private const uint T = 'T';
    public static readonly uint TUNSETIFF = Ioc.IOW<int>(T, 202);
    public static readonly uint TUNSETPERSIST = Ioc.IOW<int>(T, 203);
    public static readonly uint TUNSETOFFLOAD = Ioc.IOW<uint>(T, 208);
    public static readonly uint TUNGETIFF = Ioc.IOR<uint>(T, 210);
    public static readonly uint TUNGETVNETHDRSZ = Ioc.IOR<int>(T, 215);
    public static readonly uint TUNSETVNETHDRSZ = Ioc.IOW<int>(T, 216);
}
