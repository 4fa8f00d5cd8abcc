namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * Started with any of fds 0, 1, 2 closed, the engine still runs its guest and
 * still stops cleanly: each closed descriptor is /dev/null (Native/stdio_guard.c)
 * before the .NET runtime can put its own pipes there. Without that, the
 * runtime's signal pipe took 0 and 1, the guest's console was read back as
 * signal numbers and the engine killed itself.
 */
public class ClosedStdioTests
{
    public static TheoryData<string> Closed => new() { "0", "1", "2", "0,1", "0,2", "1,2", "0,1,2" };

    private static int[] Fds(string closed) => closed.Split(',').Select(int.Parse).ToArray();

    [SkippableTheory]
    [MemberData(nameof(Closed))]
    public void TheGuestRunsToItsEnd(string closed)
    {
        KvmHost.Require();
        var fds = Fds(closed);
        using var vm = EngineProcess.StartClosing(fds, "--log-format=json", "--on-reboot=exit", "64", TestGuest.BzImage, "tests=paging,timer");
        Assert.True(vm.WaitForExit() == 0, $"exit code with fds {closed} closed\n{vm.Stderr}\n{vm.Stdout}");
        if (!fds.Contains(1)) TestGuest.AssertPassed(vm.Stdout, "paging", "timer");
        if (!fds.Contains(2)) Assert.Equal("reboot", vm.ExitEvent.GetProperty("reason").GetString());
    }

    [SkippableTheory]
    [MemberData(nameof(Closed))]
    public void SigtermStopsItWithItsExitEvent(string closed)
    {
        KvmHost.Require();
        var fds = Fds(closed);
        // The default policy restarts the guest after each run of its tests: once it has rebooted, it has
        // written its console and the engine has read its stdin, on whatever fds 0 and 1 now are.
        using var vm = EngineProcess.StartClosing(fds, "--log-format=json", "64", TestGuest.BzImage, "tests=paging");
        WaitForAReboot(vm);
        foreach (int fd in fds)
            Assert.Equal("/dev/null", new FileInfo($"/proc/{vm.Pid}/fd/{fd}").LinkTarget);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.True(vm.WaitForExit() == 143, $"exit code with fds {closed} closed\n{vm.Stderr}");
        if (!fds.Contains(2)) Assert.Equal("sigterm", vm.ExitEvent.GetProperty("reason").GetString());
    }

    /// <summary>
    /// Waits until the guest has rebooted once. Each boot runs new vCPU threads, so with stderr closed (no
    /// `reboot` event to read) a second thread named vcpu0 is the sign.
    /// </summary>
    private static void WaitForAReboot(EngineProcess vm)
    {
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow + EngineProcess.DefaultTimeout;
        while (seen.Count < 2 && !vm.Events.Any(e => e.GetProperty("event").GetString() == "reboot"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the guest never rebooted\n{vm.Stderr}\n{vm.Stdout}");
            Assert.True(Directory.Exists($"/proc/{vm.Pid}/task"), $"the engine ended\n{vm.Stderr}\n{vm.Stdout}");
            foreach (var task in Directory.EnumerateDirectories($"/proc/{vm.Pid}/task"))
            {
                try { if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == "vcpu0") seen.Add(task); }
                catch (IOException) { } // the thread ended while we looked
            }
            Thread.Sleep(10); // polling a condition; the deadline bounds a failure
        }
    }
}
