using System.Buffers.Binary;
using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.Virtio.Net;

/*
 * The host's side of the cable, as a test sees it: an AF_PACKET socket on
 * the tap's interface, for one EtherType of the tests' own (0x88B5, IEEE's
 * "local experimental"), so no protocol of the host reads or answers our
 * frames and none of the host's chatter reaches the tests. Frames it sends
 * leave the host through the tap, into our device's receive path; frames the
 * guest transmits arrive here. Opened inside the test's namespace. Sending
 * and receiving allocate nothing (the allocation test runs them in its loop).
 */
internal sealed unsafe class PacketPeer : IDisposable
{
    public const ushort EtherType = 0x88B5;
    public static readonly byte[] HostMac = [0x02, 0xAA, 0, 0, 0, 1];
    private readonly SafeFd _fd;

    private PacketPeer(string ifname, ushort etherType)
    {
        int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(etherType));
        if (s < 0) throw Sys.Fail("socket(AF_PACKET)");
        _fd = new SafeFd(s);
        var ifr = new ifreq { Name = ifname };
        Sys.Ioctl(_fd, NetIf.SIOCGIFINDEX, &ifr, "SIOCGIFINDEX");
        var sll = new sockaddr_ll { sll_family = (ushort)AF_PACKET, sll_protocol = htons(etherType), sll_ifindex = ifr.ifr_ifindex };
        if (bind(_fd.Fd, (sockaddr*)&sll, (uint)sizeof(sockaddr_ll)) != 0) throw Sys.Fail("bind(AF_PACKET)");
    }

    public static PacketPeer Open(NetNamespace ns, string ifname, ushort etherType = EtherType) =>
        ns.Run(() => new PacketPeer(ifname, etherType));

    public void Send(ReadOnlySpan<byte> frame)
    {
        long n;
        fixed (byte* p = frame) n = send(_fd.Fd, p, (size_t)(ulong)frame.Length, 0);
        if (n != frame.Length) throw Sys.Fail("send(AF_PACKET)");
    }

    /// <summary>The next frame, or -1 if none comes within <paramref name="timeoutMs"/>.</summary>
    public int Receive(Span<byte> buf, int timeoutMs = 5000)
    {
        var pfd = new pollfd { fd = _fd.Fd, events = POLLIN };
        if (poll(&pfd, 1, timeoutMs) <= 0) return -1;
        fixed (byte* p = buf) return (int)recv(_fd.Fd, p, (size_t)(ulong)buf.Length, 0);
    }

    public byte[]? Receive(int timeoutMs = 5000)
    {
        var buf = new byte[70000];
        int n = Receive(buf, timeoutMs);
        return n < 0 ? null : buf[..n];
    }

    /// <summary>A broadcast test frame: 14-byte Ethernet header, then seq (le32), then bytes derived from seq.</summary>
    public static byte[] Frame(int seq, int length)
    {
        var f = new byte[length];
        Fill(f, seq);
        return f;
    }

    public static void Fill(Span<byte> f, int seq)
    {
        f[..6].Fill(0xFF);
        HostMac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], EtherType);
        BinaryPrimitives.WriteInt32LittleEndian(f[14..], seq);
        for (int i = 18; i < f.Length; i++) f[i] = (byte)(seq * 7 + i);
    }

    public void Dispose() => _fd.Dispose();
}
