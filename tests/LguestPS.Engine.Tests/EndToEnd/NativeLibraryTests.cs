using System.Diagnostics;

namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>The engine needs libc and nothing else: in particular no OpenSSL (GET_ID's hash is the engine's own).</summary>
public sealed class NativeLibraryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-libs").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [SkippableFact]
    public void OpeningADiskLoadsNoOpenSsl()
    {
        Skip.IfNot(File.Exists("/usr/bin/strace"), "SKIPPED: strace is not installed (apt-get install strace), so the engine's opens cannot be watched");
        string disk = Path.Combine(_dir, "disk.img"), trace = Path.Combine(_dir, "trace");
        using (var f = File.Create(disk)) f.SetLength(1 << 20);
        // With KVM the guest runs nothing and reboots into an exit; without, the engine stops at /dev/kvm.
        // Either way the disk (and its GET_ID serial) was set up first.
        var psi = new ProcessStartInfo("strace", ["-f", "-qq", "-e", "trace=openat,open", "-o", trace, EngineProcess.Binary,
            "--on-reboot=exit", $"--block={disk}", "64", TestGuest.BzImage, "tests="])
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "the engine did not finish");
        string opens = File.ReadAllText(trace);
        Assert.Contains(disk, opens);                       // it got as far as the disk
        Assert.DoesNotContain("libssl", opens);
        Assert.DoesNotContain("libcrypto", opens);
        Assert.DoesNotContain("openssl.cnf", opens);
    }
}
