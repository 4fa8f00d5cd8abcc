using System.Diagnostics;

namespace LguestPS.Module.Tests;

/*
 * The busybox guest the provisioning tests drive, booted once per test
 * class: the minimal Linux of tests/fixtures/minimal-kernel (built once,
 * cached), an initramfs made by New-LguestInitramfs -BusyBox with ./overlay
 * on top, and a data disk made by New-LguestDisk, all through the cmdlets.
 * Nothing is built or booted where /dev/kvm is absent: the tests skip first.
 */
public sealed class BusyBoxGuest : IDisposable
{
    /// <summary>The kernel command line for the minimal kernel (tests/fixtures/busybox: panics reboot, and the engine then ends).</summary>
    internal const string KernelArguments = "console=ttyS0 rodata=off panic=-1 reboot=k";

    internal const string Name = "provisioned";

    private readonly object _lock = new();
    private bool _booted;

    public PowerShellSession Ps { get; } = new();

    /// <summary>From Start-LguestVm to the first command's result (the guest booting in between).</summary>
    public TimeSpan FirstResult { get; private set; }

    /// <summary>The VM's job, whose output is the console.</summary>
    public LguestVmJob? Job { get; private set; }

    /// <summary>The file the data disk holds at /hello.txt.</summary>
    internal const string DiskText = "hello from New-LguestDisk";

    /// <summary>The minimal Linux of tests/fixtures/minimal-kernel, from its build script's KEY= lines (built on first use, then cached).</summary>
    internal static string MinimalKernel(string key = "BZIMAGE")
    {
        var r = Tool.Run("bash", Path.Combine(Layout.Root, "tests", "fixtures", "minimal-kernel", "build.sh"));
        Assert.True(r.ExitCode == 0, "the kernel fixture failed: " + r.Error);
        return r.Output.Split('\n').Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
    }

    /// <summary>Boots the guest unless it runs already; skips the test where there is no KVM.</summary>
    public void Boot()
    {
        Layout.RequireKvm();
        Layout.RequireBuilt();
        lock (_lock)
        {
            if (_booted) return;
            string kernel = MinimalKernel();
            File.Copy(kernel, Path.Combine(Ps.WorkDir, "vmlinuz"), overwrite: true); // the docs' examples boot ./vmlinuz
            string data = Path.Combine(Ps.WorkDir, "diskdata");
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "hello.txt"), DiskText + "\n");
            Ps.Invoke("""
                New-LguestInitramfs -Path ./busybox.cpio -BusyBox -SourcePath ./overlay -Force | Out-Null
                New-LguestDisk -Path ./data.ext4 -SizeMB 16 -SourcePath ./diskdata -Label data -Force | Out-Null
                """).AssertNoErrors();
            var clock = Stopwatch.StartNew();
            var r = Ps.Invoke($"""
                $job = New-LguestVm -Name {Name} -MemoryMB 128 -Kernel ./vmlinuz -Initrd ./busybox.cpio -KernelArguments '{KernelArguments}' |
                    Add-LguestBlockDevice -Path ./data.ext4 | Start-LguestVm
                Invoke-LguestVmCommand -VMName {Name} -Command 'cat /proc/version' -Timeout 900
                $job
                """);
            FirstResult = clock.Elapsed;
            r.AssertNoErrors();
            Assert.StartsWith("Linux version 6.1", r.Single<LguestCommandResult>().Output.Single());
            Job = r.Single<LguestVmJob>();
            _booted = true;
        }
    }

    public void Dispose() => Ps.Dispose();
}
