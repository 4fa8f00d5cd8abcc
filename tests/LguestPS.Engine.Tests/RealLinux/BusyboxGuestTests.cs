using LguestPS.Engine.Tests.EndToEnd;
using Xunit.Abstractions;

namespace LguestPS.Engine.Tests.RealLinux;

/// <summary>
/// One busybox guest, booted once for the whole class (a Linux boot costs 10-30 s here): a disk
/// image made by mke2fs from a folder, the rng, and the console shell.
/// </summary>
public sealed class BusyboxGuestBoot : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-busybox").FullName;
    private readonly BusyboxGuest? _guest;

    /// <summary>A line only the disk holds: the test reads it back through the guest's ext4.</summary>
    public string DiskSecret { get; } = $"written-by-the-host-{Guid.NewGuid():N}";
    public string? Skipped { get; }
    public BusyboxGuest Guest => _guest ?? throw new InvalidOperationException(Skipped);

    public BusyboxGuestBoot()
    {
        if (!File.Exists("/dev/kvm")) { Skipped = "SKIPPED: /dev/kvm does not exist on this host, so no guest can run here"; return; }
        var fx = new BusyboxFixture();
        string src = Directory.CreateDirectory(Path.Combine(_dir, "content")).FullName;
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "sub", "secret.txt"), DiskSecret + "\n");
        string disk = Path.Combine(_dir, "disk.img");
        Mke2fs(src, disk);
        _guest = new BusyboxGuest(fx.Kernel.Vmlinux, fx.Initramfs, ["--verbose", $"--block={disk}", "--rng"], []);
    }

    /// <summary>An 8 MiB ext4 image populated from a folder, as a user would make one (no root needed).</summary>
    internal static void Mke2fs(string source, string image)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("mke2fs", ["-q", "-F", "-t", "ext4", "-L", "lguest", "-d", source, image, "8M"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"mke2fs failed (exit {p.ExitCode}): {err} (install e2fsprogs)");
    }

    public void Dispose()
    {
        _guest?.Dispose();
        Directory.Delete(_dir, true);
    }
}

public sealed class BusyboxGuestTests(BusyboxGuestBoot boot, ITestOutputHelper log) : IClassFixture<BusyboxGuestBoot>
{
    private BusyboxGuest Guest()
    {
        Skip.If(boot.Skipped != null, boot.Skipped);
        log.WriteLine($"{boot.Guest.CommandLine}\npower-on to the first command's answer: {boot.Guest.BootTime.TotalSeconds:F1} s");
        return boot.Guest;
    }

    [SkippableFact]
    public void ACommandTypedOnTheConsoleRunsAndItsOutputComesBack()
    {
        var g = Guest();
        var (output, code) = g.Run("echo \"sum=$((6 * 7))\"; uname -sr");
        Assert.Equal(0, code);
        Assert.Contains("sum=42", output);                       // computed by the guest's shell, not echoed from what we typed
        Assert.Contains("Linux 6.1", output);
        var (_, failed) = g.Run("false");
        Assert.Equal(1, failed);                                 // the status is the command's own
    }

    /// <summary>
    /// The kernel logs to ttyS0 (console=ttyS0) while the shell is on hvc0: an error it prints must not take the
    /// keyboard to the UART, where nobody reads (it once did: under nested KVM a warning mid-copy hung
    /// Copy-LguestVmFile, and one at boot could swallow the first command).
    /// </summary>
    [SkippableFact]
    public void AKernelMessageOnTtyS0LeavesTheKeyboardWithTheShellOnHvc0()
    {
        var g = Guest();
        // Typed as two quoted halves, so only the kernel's line has them joined (not the echo of what we typed).
        var (_, code) = g.Run("echo '<3>lguestps: an error the kernel ''prints on ttyS0' > /dev/kmsg");
        Assert.Equal(0, code);
        g.Engine.WaitForOutput("lguestps: an error the kernel prints on ttyS0");
        var (output, _) = g.Run("echo \"typed after it: $((2 + 3))\"");
        Assert.Contains("typed after it: 5", output);
    }

    /// <summary>
    /// A quarter MiB of base64 on hvc0 (what Copy-LguestVmFile -FromGuest sends) arrives whole: under nested KVM a
    /// copy of this size once stalled while 128 KiB went through.
    /// </summary>
    [SkippableFact]
    public void AQuarterMiBOfOutputOnHvc0ComesThroughWhole()
    {
        var g = Guest();
        var (sum, code) = g.Run("head -c 262144 /dev/urandom > /tmp/quarter && sha256sum < /tmp/quarter", TimeSpan.FromMinutes(5));
        Assert.Equal(0, code);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (text, status) = g.Run("base64 < /tmp/quarter", TimeSpan.FromMinutes(15));
        log.WriteLine($"256 KiB as base64 over hvc0: {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, status);
        byte[] bytes = Convert.FromBase64String(string.Concat(text.Split('\n').Select(l => l.Trim())));
        Assert.Equal(262144, bytes.Length);
        Assert.Equal(sum.Split(' ')[0].Trim(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [SkippableFact]
    public void TheFileSystemsInitMountsAreThere()
    {
        var (output, code) = Guest().Run("cat /proc/mounts");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^proc /proc proc ", output);
        Assert.Matches(@"(?m)^sysfs /sys sysfs ", output);
        Assert.Matches(@"(?m)^devtmpfs /dev devtmpfs ", output);
        Assert.Matches(@"(?m)^tmpfs /tmp tmpfs ", output);
    }

    [SkippableFact]
    public void AnExt4DiskMadeByMke2fsMountsAndAFileReadsBack()
    {
        var g = Guest();
        var (output, code) = g.Run("mount -t ext4 /dev/vda /mnt && cat /mnt/sub/secret.txt; s=$?; umount /mnt; (exit $s)");
        Assert.True(code == 0, $"exit {code}: {output}");
        Assert.Contains(boot.DiskSecret, output);
    }
}
