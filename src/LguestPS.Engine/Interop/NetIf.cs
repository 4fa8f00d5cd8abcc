using System.Runtime.InteropServices;

#pragma warning disable CS8981 // ifreq is linux/if.h's name, kept verbatim

namespace LguestPS.Engine.Interop;

/// <summary>
/// linux/if.h's struct ifreq, with the members of its union we use, and the linux/sockios.h requests that
/// take one. They go to any AF_INET socket (the seed's "any socket will do").
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
public unsafe struct ifreq
{
    public const int IFNAMSIZ = 16;

    [FieldOffset(0)] public fixed byte ifr_name[IFNAMSIZ];
    // ifr_addr / ifr_netmask: a struct sockaddr_in for AF_INET.
    [FieldOffset(16)] public ushort sin_family;
    [FieldOffset(18)] public ushort sin_port;
    [FieldOffset(20)] public uint sin_addr;          // network byte order
    [FieldOffset(16)] public short ifr_flags;
    [FieldOffset(16)] public int ifr_ifindex;

    /// <summary>The interface name as a string (up to the first NUL).</summary>
    public string Name
    {
        get
        {
            fixed (byte* p = ifr_name)
            {
                var name = new ReadOnlySpan<byte>(p, IFNAMSIZ);
                int n = name.IndexOf((byte)0);
                return System.Text.Encoding.ASCII.GetString(n < 0 ? name : name[..n]);
            }
        }
        set
        {
            int len = System.Text.Encoding.ASCII.GetByteCount(value);
            if (len >= IFNAMSIZ) throw new ArgumentException($"interface name '{value}' is longer than {IFNAMSIZ - 1} characters");
            fixed (byte* p = ifr_name)
            {
                var dest = new Span<byte>(p, IFNAMSIZ);
                dest.Clear();
                System.Text.Encoding.ASCII.GetBytes(value, dest);
            }
        }
    }
}

public static class NetIf
{
    public const short IFF_UP = 0x1;
    public const ushort AF_INET = 2;

    // linux/sockios.h
    public const uint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFADDR = 0x8916, SIOCSIFNETMASK = 0x891c,
        SIOCGIFINDEX = 0x8933, SIOCBRADDIF = 0x89a2;
}
