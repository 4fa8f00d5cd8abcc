using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using LguestPS.Engine.Tests.Virtio.Net;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * --tunnet end to end: the real engine, started inside a network namespace
 * the test creates (so its tap is born there and nothing it does can reach
 * the host's own networks), 169.254.0.0/16 addresses only.
 */
public class TapNetTests : IDisposable
{
    private readonly NetNamespace _ns = NetTestEnv.Namespace();
    public void Dispose() => _ns.Dispose();

    private string[] Taps() => _ns.Links().Where(l => l.StartsWith("lguest", StringComparison.Ordinal)).ToArray();

    private EngineProcess Start(params string[] args) => _ns.Run(() => EngineProcess.Start(args));

    private void WaitForNoTaps()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Taps().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"a tap outlived the engine: {string.Join(", ", Taps())}");
            Thread.Sleep(50);
        }
    }

    private static JsonElement Ready(EngineProcess vm)
    {
        // stderr has its own pump: the event may trail the console output that follows it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var ready = vm.Events.FirstOrDefault(e => e.GetProperty("event").GetString() == "ready");
            if (ready.ValueKind == JsonValueKind.Object) return ready;
            Assert.True(DateTime.UtcNow < deadline, $"no ready event:\n{vm.Stderr}");
            Thread.Sleep(20);
        }
    }

    [SkippableFact]
    public void TheTapIsThereWhileTheGuestRunsAndGoneAfterKillDashNine()
    {
        KvmHost.Require();
        using var vm = Start("--log-format=json", "--tunnet=169.254.77.1", "64", TestGuest.BzImage, "tests=serial");
        vm.WaitForOutput("READY serial");
        var tap = Assert.Single(Taps());
        // An address without a prefix gets a /24 of its own (Ipv4Net), even in 169.254.0.0/16.
        Assert.Contains($"inet 169.254.77.1/{Ipv4Net.DefaultPrefixLength}", _ns.Sh($"ip -o -4 addr show {tap}"));
        Assert.Contains("net", Ready(vm).GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        vm.Signal(9);                                            // SIGKILL: no exit path of ours runs
        vm.WaitForExit();
        WaitForNoTaps();
    }

    [SkippableFact]
    public void TheTapGoesWithAnOrdinaryExitToo()
    {
        KvmHost.Require();
        using var vm = Start("--on-reboot=exit", "--tunnet=169.254.77.1:02:00:00:00:00:07", "--tunnet=169.254.78.1", "64", TestGuest.BzImage, "tests=paging");
        Assert.Equal(0, vm.WaitForExit());
        WaitForNoTaps();
    }

    [SkippableFact]
    public void BridgeModeJoinsABridgeOfTheNamespace()
    {
        KvmHost.Require();
        _ns.Sh("ip link add lgbr0 type bridge && ip link set lgbr0 up");
        using var vm = Start("--log-format=json", "--tunnet=bridge:lgbr0", "64", TestGuest.BzImage, "tests=serial");
        vm.WaitForOutput("READY serial");
        var tap = Assert.Single(Taps());
        Assert.Contains("master lgbr0", _ns.Sh($"ip -o link show {tap}"));
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
        WaitForNoTaps();
        Assert.Contains("lgbr0", _ns.Links());                  // the bridge is the user's: it stays
    }

    // One clear line, its id, exit code 1, and no tap left behind.
    private void ExpectError(string id, string mentions, string[] wrapper, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "lguest.dll");
        // If the engine wrongly starts the guest, the guest runs nothing and the engine exits: a failure, not a hang.
        using var p = _ns.Start(wrapper.Length > 0 ? wrapper[0] : "dotnet",
            [.. wrapper.Skip(1), .. (wrapper.Length > 0 ? new[] { "dotnet" } : []), "exec", dll,
             "--log-format=json", "--on-reboot=exit", .. args, "64", TestGuest.BzImage, "tests="]);
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            Assert.Fail("the engine did not exit within 60 s");
        }
        string stderr = stderrTask.Result;
        _ = stdoutTask.Result;
        var events = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var error = events.FirstOrDefault(e => e.GetProperty("event").GetString() == "error");
        Assert.True(error.ValueKind == JsonValueKind.Object, $"no error event: {stderr}");
        Assert.True(p.ExitCode == 1 && error.GetProperty("id").GetString() == id, $"expected {id}/1, got {p.ExitCode}: {stderr}");
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains(mentions, message);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Empty(Taps());
    }

    [SkippableFact]
    public void AMissingBridgeIsOneLineAndLeavesNoTap() =>
        ExpectError("DeviceInvalid", "no bridge named nosuchbr: create it with `ip link add nosuchbr type bridge`", [], "--tunnet=bridge:nosuchbr");

    [SkippableFact]
    public void AMalformedAddressIsAnInvalidArgument() =>
        ExpectError("InvalidArgument", "'169.254.1.300' is not a usable IPv4 address", [], "--tunnet=169.254.1.300");

    [SkippableFact]
    public void AMulticastMacIsAnInvalidArgument() =>
        ExpectError("InvalidArgument", "not a usable MAC address", [], "--tunnet=169.254.1.1:01:00:5e:00:00:01");

    [SkippableFact]
    public void WithoutCapNetAdminTheEngineSaysWhatToDo() =>
        ExpectError("PermissionDenied", "run as root or give lguest CAP_NET_ADMIN",
            ["setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"], "--tunnet=169.254.77.1");

    [SkippableFact]
    public void ALaterFailureClosesTheTapsAlreadyMade() =>
        ExpectError("DeviceInvalid", "no bridge named nosuchbr", [], "--tunnet=169.254.77.1", "--tunnet=bridge:nosuchbr");

    /*
     * Linux's own virtio-net driver against our device: the minimal kernel
     * (tests/fixtures/minimal-kernel) configures eth0 itself (ip=, no
     * userspace, which PVM cannot run), then waits forever for a root disk
     * that never comes (rootwait), alive, with the network up. Its IP stack
     * answers the host's pings: ARP both ways, ICMP echo both ways, and with
     * 8000-byte pings IP fragments, several frames per packet in each
     * direction, through mergeable receive buffers.
     */
    private static string MinimalKernel() =>
        RealLinux.FixtureScript.Run("tests/fixtures/minimal-kernel/build.sh", TimeSpan.FromMinutes(30))["VMLINUX"];

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void LinuxAnswersTheHostsPingsThroughTheTap(bool bridged)
    {
        KvmHost.Require();
        string kernel = MinimalKernel();
        string tunnet = "--tunnet=169.254.77.1";
        if (bridged)
        {
            // The host's address lives on the bridge; the tap is just a port of it.
            _ns.Sh("ip link add lgbr0 type bridge && ip addr add 169.254.77.1/16 dev lgbr0 && ip link set lgbr0 up");
            tunnet = "--tunnet=bridge:lgbr0";
        }
        using var vm = Start(tunnet + ":02:00:00:00:4c:01", "128", kernel,
            "console=ttyS0", "rodata=off", "panic=-1",
            "ip=169.254.77.2::169.254.77.1:255.255.0.0::eth0:off", "root=/dev/vdz", "rootwait");
        vm.WaitForOutput("Waiting for root device", timeout: TimeSpan.FromSeconds(180));
        Assert.Contains("hwaddr=02:00:00:00:4c:01", vm.Stdout);

        var guest = IPAddress.Parse("169.254.77.2");
        var failures = _ns.Run(() =>
        {
            var bad = new List<string>();
            using var ping = new Ping();
            for (int i = 0; i < 40 && bad.Count == 0; i++)
            {
                int size = i % 4 == 3 ? 8000 : 56 + 37 * i;       // every fourth one fragmented
                var data = new byte[size];
                for (int k = 0; k < size; k++) data[k] = (byte)(i * 13 + k);
                var reply = ping.Send(guest, 5000, data);
                if (reply.Status != IPStatus.Success) bad.Add($"ping {i} ({size} bytes): {reply.Status}");
                else if (!reply.Buffer.AsSpan().SequenceEqual(data)) bad.Add($"ping {i} ({size} bytes): the echo differs");
            }
            return bad;
        });
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + vm.Stdout[^Math.Min(2000, vm.Stdout.Length)..]);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        vm.WaitForExit();
        WaitForNoTaps();
    }
}
