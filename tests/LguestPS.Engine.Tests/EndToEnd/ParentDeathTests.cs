using System.Text.Json;
using System.Text.RegularExpressions;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * --parent-pid: an engine does not outlive the program that started it, even
 * one killed with SIGKILL, which runs none of the program's code. The parent
 * here is bash; the engine's events go to a file, since the pipe's reader
 * (bash) is the thing that dies.
 */
public sealed class ParentDeathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-parent").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [SkippableFact]
    public void KillingTheParentStopsTheEngineAndFreesItsDisk()
    {
        KvmHost.Require();
        string disk = Path.Combine(_dir, "disk.img"), log = Path.Combine(_dir, "events.log");
        using (var f = File.Create(disk)) f.SetLength(8 << 20);
        using var parent = EngineProcess.StartShell($"\"$0\" --parent-pid=$$ \"$@\" 2>'{log}' & echo ENGINE=$!; wait",
            "--log-format=json", $"--block={disk}", "64", TestGuest.BzImage, "tests=serial");
        parent.WaitForOutput("READY serial");
        int engine = int.Parse(Regex.Match(parent.Stdout, @"ENGINE=(\d+)").Groups[1].Value);
        Assert.Throws<IOException>(() => TakeDisk(disk)); // the engine holds it: the check below can fail
        // A process group of its own: a ^C typed at the parent's terminal is the parent's, not the VM's.
        Assert.Equal(engine.ToString(), File.ReadAllText($"/proc/{engine}/stat").Split(')')[1].Split(' ')[3]);

        parent.Signal(SIGKILL);
        parent.WaitForExit(); // bash is gone, and the engine has closed the console pipe: it has ended
        WaitUntilGone(engine);

        var exit = JsonDocument.Parse(File.ReadAllLines(log).Last()).RootElement;
        Assert.Equal("exit", exit.GetProperty("event").GetString());
        Assert.Equal("sigterm", exit.GetProperty("reason").GetString());
        Assert.Contains("has ended", exit.GetProperty("message").GetString());
        TakeDisk(disk).Dispose(); // no lock left behind
    }

    /// <summary>The disk the way another program takes it for itself (.NET: flock(LOCK_EX)); throws while locked.</summary>
    private static FileStream TakeDisk(string disk) => new(disk, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

    /// <summary>Waits until the process no longer runs (gone, or a zombie its new parent has not reaped yet).</summary>
    private static void WaitUntilGone(int pid)
    {
        var deadline = DateTime.UtcNow + EngineProcess.DefaultTimeout;
        while (true)
        {
            string status;
            try { status = File.ReadAllText($"/proc/{pid}/status"); }
            catch (IOException) { return; }
            if (Regex.IsMatch(status, @"^State:\s+Z", RegexOptions.Multiline)) return;
            Assert.True(DateTime.UtcNow < deadline, $"engine {pid} outlived its parent");
            Thread.Sleep(10); // polling a condition; the deadline bounds a failure
        }
    }
}
