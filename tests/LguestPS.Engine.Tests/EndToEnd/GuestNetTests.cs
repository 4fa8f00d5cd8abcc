using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LguestPS.Engine.Tests.Virtio.Net;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * The host's half of the test guest's network tests (tests/guest/README.md,
 * "virtio-net" and "net-echo"), in a network namespace of the test's own
 * with 169.254/16 addresses only. The guest ARPs for the host and pings it
 * (the host kernel answers), then serves: it answers the host's pings and
 * echoes every UDP datagram to port 7, and stops after the number of
 * datagrams we told it to expect. We check pings of several sizes and a few
 * MiB of UDP coming back byte for byte, in order.
 */
public class GuestNetTests : IDisposable
{
    private readonly NetNamespace _ns = NetTestEnv.Namespace();
    public void Dispose() => _ns.Dispose();

    private static readonly IPAddress GuestIp = IPAddress.Parse("169.254.77.2"), HostIp = IPAddress.Parse("169.254.77.1");
    private const int Window = 16;

    /// <summary>~3 MiB cut into datagrams of at most 1472 bytes (the guest does not reassemble fragments).</summary>
    private static List<byte[]> Stream()
    {
        var rng = new Random(5);
        var list = new List<byte[]>();
        for (long total = 0; total < 3 << 20;)
        {
            var d = new byte[list.Count % 8 == 7 ? 1 + rng.Next(1472) : 1472];
            rng.NextBytes(d);
            list.Add(d);
            total += d.Length;
        }
        return list;
    }

    [SkippableTheory]
    [InlineData("--tunnet=169.254.77.1")]
    [InlineData("--tunnet=bridge:lgbr0")]
    public void TheGuestPingsTheHostAnswersPingsAndEchoesUdpByteForByte(string tunnet)
    {
        KvmHost.Require();
        if (tunnet.Contains("bridge"))
            _ns.Sh("ip link add lgbr0 type bridge && ip addr add 169.254.77.1/16 dev lgbr0 && ip link set lgbr0 up");
        var stream = Stream();
        using var vm = _ns.Run(() => EngineProcess.Start("--on-reboot=exit", tunnet, "64", TestGuest.BzImage,
            "tests=virtio-net,net-echo", "guest.ip=169.254.77.2", "guest.hostip=169.254.77.1",
            $"guest.echopkts={stream.Count}", "guest.echosecs=120"));
        vm.WaitForOutput("READY net-echo");

        var errors = _ns.Run(() =>
        {
            var bad = new List<string>();
            using (var ping = new Ping())
                foreach (int size in new[] { 0, 56, 1000, 1472 })
                {
                    var data = new byte[size];
                    new Random(size).NextBytes(data);
                    var r = ping.Send(GuestIp, 10_000, data);
                    if (r.Status != IPStatus.Success || !r.Buffer.AsSpan().SequenceEqual(data))
                        bad.Add($"ping of {size} bytes: {r.Status}");
                }

            using var udp = new UdpClient(new IPEndPoint(HostIp, 0));
            udp.Client.ReceiveTimeout = 10_000;
            var guest = new IPEndPoint(GuestIp, 7);
            for (int i = 0; i < stream.Count && bad.Count == 0; i += Window)
            {
                int n = Math.Min(Window, stream.Count - i);
                for (int k = 0; k < n; k++) udp.Send(stream[i + k], stream[i + k].Length, guest);
                for (int k = 0; k < n && bad.Count == 0; k++)
                {
                    var from = new IPEndPoint(IPAddress.Any, 0);
                    byte[] back;
                    try { back = udp.Receive(ref from); }
                    catch (SocketException e) { bad.Add($"datagram {i + k}: no echo ({e.SocketErrorCode})"); break; }
                    if (!back.AsSpan().SequenceEqual(stream[i + k])) bad.Add($"datagram {i + k} ({stream[i + k].Length} bytes) came back different or out of order");
                    if (!from.Equals(guest)) bad.Add($"datagram {i + k} came back from {from}");
                }
            }
            return bad;
        });
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + vm.Stdout);
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "virtio-net", "net-echo");
        long bytes = stream.Sum(d => (long)d.Length);
        Assert.Contains($"NET echo done udp={stream.Count} bytes={bytes} icmp=4", vm.Stdout);
    }

    /*
     * Frames that reach the tap before the guest's driver has started the
     * device (the guest delays its start; a static neighbour entry lets the
     * host send without waiting for the guest's ARP) wait there, and must
     * arrive as the features negotiated later promise: fully checksummed, no
     * offload flags (the test guest takes neither GUEST_CSUM nor TSO).
     */
    [SkippableFact]
    public void FramesQueuedBeforeTheDriverStartsArriveIntact()
    {
        KvmHost.Require();
        using var vm = _ns.Run(() => EngineProcess.Start("--on-reboot=exit", "--tunnet=169.254.77.1:02:00:00:00:4c:02", "64",
            TestGuest.BzImage, "tests=net-echo", "guest.ip=169.254.77.2", "guest.echodelay=3", "guest.echopkts=5", "guest.echosecs=60"));
        vm.WaitForOutput("NET echo delay");
        _ns.Sh("ip neigh replace 169.254.77.2 lladdr 02:00:00:00:4c:02 dev $(ip -o link show | awk -F': ' '/lguest/ {print $2; exit}') nud permanent");
        var sent = Enumerable.Range(0, 5).Select(i => { var d = new byte[100 + 200 * i]; new Random(i).NextBytes(d); return d; }).ToList();
        var back = _ns.Run(() =>
        {
            using var udp = new UdpClient(new IPEndPoint(HostIp, 0));
            udp.Client.ReceiveTimeout = 15_000;
            foreach (var d in sent) udp.Send(d, d.Length, new IPEndPoint(GuestIp, 7));
            var got = new List<byte[]>();
            try { for (int i = 0; i < sent.Count; i++) { var from = new IPEndPoint(IPAddress.Any, 0); got.Add(udp.Receive(ref from)); } }
            catch (SocketException) { }
            return got;
        });
        Assert.Equal(0, vm.WaitForExit());
        TestGuest.AssertPassed(vm.Stdout, "net-echo");   // it verified every UDP and IPv4 checksum
        Assert.Equal(sent.Count, back.Count);
        for (int i = 0; i < sent.Count; i++) Assert.Equal(sent[i], back[i]);
    }
}
