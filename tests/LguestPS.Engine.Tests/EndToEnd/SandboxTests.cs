using System.Diagnostics;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * The sandbox, on by default: the guest runs every check under the seccomp
 * allowlist, the kernel says the filter is on, --no-sandbox turns it off, and
 * a call off the list ends the engine with its own exit reason instead of an
 * unexplained death. (Every other end-to-end test runs sandboxed too.)
 */
public sealed class SandboxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-sandbox").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Disk(string name, long size)
    {
        string p = Path.Combine(_dir, name);
        using var f = File.Create(p);
        f.SetLength(size);
        return p;
    }

    private static string Status(int pid, string key) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith(key + ":")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    [SkippableFact]
    public void EveryGuestCheckPassesUnderTheSandbox()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--on-reboot=exit", "--cpus=2", "--rng", $"--block={Disk("rw.img", 8 << 20)}",
            $"--block={Disk("ro.img", 1 << 20)},ro", "64", TestGuest.BzImage,
            "tests=paging,bootparams,e820,mptable,timer,virtio-scan,virtio-blk,virtio-rng,serial,virtio-console", "guest.blkseed=9");
        vm.WaitForOutput("READY serial"); // the console checks each wait for a line, typed once they ask
        vm.WriteStdin("on the uart\n");
        vm.WaitForOutput("READY virtio-console");
        vm.WriteStdin("on hvc0\n");
        Assert.True(vm.WaitForExit() == 0, $"{vm.Stderr}\n{vm.Stdout}");
        TestGuest.AssertPassed(vm.Stdout, "paging", "bootparams", "e820", "mptable", "timer", "virtio-scan", "virtio-blk", "virtio-rng",
            "serial", "virtio-console");
    }

    [SkippableFact]
    public void TheKernelHasTheFilterAndRebootsAndSigtermStillWork()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "--rng", "64", TestGuest.BzImage, "tests=paging,virtio-rng");
        vm.WaitForEvent("reboot"); // a whole boot, and a new VM and vCPU threads, under the filter
        Assert.Equal("2", Status(vm.Pid, "Seccomp")); // SECCOMP_MODE_FILTER
        Assert.Equal("1", Status(vm.Pid, "NoNewPrivs"));
        foreach (var task in Directory.EnumerateDirectories($"/proc/{vm.Pid}/task"))
        {
            string[] status;
            try { status = File.ReadAllLines(Path.Combine(task, "status")); }
            catch (IOException) { continue; } // a thread of the last boot, gone while we looked
            Assert.Equal("2", status.First(l => l.StartsWith("Seccomp:")).Split('\t')[1]); // every thread, the runtime's too
        }
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
        Assert.Equal("sigterm", vm.ExitEvent.GetProperty("reason").GetString());
    }

    [SkippableFact]
    public void NoSandboxMeansNoFilter()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--no-sandbox", "--log-format=json", "64", TestGuest.BzImage, "tests=paging");
        vm.WaitForEvent("reboot");
        Assert.Equal("0", Status(vm.Pid, "Seccomp"));
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(143, vm.WaitForExit());
    }

    /// <summary>
    /// A call off the list, made in the engine's process: a preloaded library's thread calls syslog(2)
    /// (which nothing in lguest calls) until the filter stops it. The engine ends with sandbox-violation.
    /// </summary>
    [SkippableFact]
    public void AForbiddenCallEndsTheEngineWithItsExitReason()
    {
        KvmHost.Require();
        string c = Path.Combine(_dir, "forbidden.c"), so = Path.Combine(_dir, "forbidden.so");
        File.WriteAllText(c, """
            #include <pthread.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            static void *knock(void *arg)
            {
                (void)arg;
                for (;;) {
                    syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, 0, 0);
                    usleep(2000);
                }
                return 0;
            }
            __attribute__((constructor)) static void start(void)
            {
                pthread_t t;
                pthread_create(&t, 0, knock, 0);
            }
            """);
        using (var gcc = Process.Start("gcc", ["-shared", "-fPIC", "-pthread", "-o", so, c])!)
        {
            gcc.WaitForExit();
            Assert.Equal(0, gcc.ExitCode);
        }
        using var vm = EngineProcess.StartShell("LD_PRELOAD=\"$1\" exec \"$0\" --log-format=json 64 \"$2\" tests=paging",
            so, TestGuest.BzImage);
        Assert.Equal(10, vm.WaitForExit());
        var exit = vm.ExitEvent;
        Assert.Equal("sandbox-violation", exit.GetProperty("reason").GetString());
        Assert.Equal(10, exit.GetProperty("code").GetInt32());
        Assert.Contains("forbidden system call (number 103", exit.GetProperty("message").GetString()); // syslog on x86-64
    }
}
