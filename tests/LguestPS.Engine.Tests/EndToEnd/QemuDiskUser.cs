using System.Diagnostics;
using System.Text;

namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>
/// A real QEMU holding a disk image the way a QEMU VM does: started paused (-S), no guest code ever runs,
/// its virtio disk realized (and so its image locked) before its monitor answers a command.
/// </summary>
public sealed class QemuDiskUser : IDisposable
{
    public const string Binary = "qemu-system-x86_64";
    private readonly Process _p;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly object _lock = new();
    private readonly Task[] _pumps;

    public static void Require() =>
        Skip.IfNot(OnPath(Binary), $"SKIPPED: {Binary} is not installed (apt-get install qemu-system-x86), so the lock tests cannot meet a real QEMU");

    private static bool OnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, exe)));

    public QemuDiskUser(string image, bool readOnly)
    {
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-S", "-display", "none", "-nodefaults", "-monitor", "stdio",
                     "-drive", $"file={image},format=raw,if=virtio" + (readOnly ? ",readonly=on" : "") })
            psi.ArgumentList.Add(a);
        _p = Process.Start(psi)!;
        // Raw reads, not lines: the monitor's "(qemu) " prompt ends without a newline.
        _pumps = [Task.Run(() => Pump(_p.StandardOutput, _out)), Task.Run(() => Pump(_p.StandardError, _err))];
        try
        {
            _p.StandardInput.WriteLine("info status");
            _p.StandardInput.Flush();
        }
        catch (IOException) { } // it has already given up (HoldsDisk says so)
    }

    private void Pump(StreamReader r, StringBuilder sb)
    {
        var buf = new char[1024];
        int n;
        do
        {
            n = r.Read(buf, 0, buf.Length);
            lock (_lock)
            {
                sb.Append(buf, 0, Math.Max(n, 0));
                Monitor.PulseAll(_lock);
            }
        } while (n > 0);
    }

    public string Stderr { get { lock (_lock) return _err.ToString(); } }

    /// <summary>
    /// Waits until QEMU either holds the disk (its monitor is up) or has given up on it (exited).
    /// True if it holds it. The deadline only bounds a broken QEMU.
    /// </summary>
    public bool HoldsDisk()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        lock (_lock)
            while (true)
            {
                // The monitor may greet us before the machine (and its disk) exists; a command is answered only
                // from the main loop, once everything is built.
                if (_out.ToString().Contains("VM status: paused")) return true;
                if (_p.HasExited) break;
                Assert.True(DateTime.UtcNow < deadline, $"QEMU neither started nor failed.\n{_err}");
                Monitor.Wait(_lock, TimeSpan.FromMilliseconds(200));
            }
        Task.WaitAll(_pumps); // all it said, before anyone reads Stderr
        return false;
    }

    public void Dispose()
    {
        if (!_p.HasExited)
        {
            _p.Kill();
            _p.WaitForExit();
        }
        _p.Dispose();
    }
}
