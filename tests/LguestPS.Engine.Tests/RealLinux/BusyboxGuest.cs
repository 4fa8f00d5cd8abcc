using System.Diagnostics;
using System.Text.RegularExpressions;
using LguestPS.Engine.Tests.EndToEnd;

namespace LguestPS.Engine.Tests.RealLinux;

/*
 * The minimal kernel with the busybox initramfs (tests/fixtures/busybox),
 * booted through the engine to its root shell on the console, and driven
 * the way a program drives it: type a line, read what comes back. busybox
 * init runs the shell on hvc0 with a controlling terminal, so the line
 * editor echoes what is typed (and may write ESC[6n before a prompt); the
 * command's own output is found between two markers that the shell prints
 * and that the echo of the typed line can never contain: each marker is
 * typed as two quoted halves ("ab""cd" prints abcd), so only the shell's
 * output has the halves joined.
 */
public sealed class BusyboxGuest : IDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    /// <summary>busybox ash's prompt for root in /, where the guest's shell starts.</summary>
    private const string Prompt = "/ # ";
    private readonly EngineProcess _vm;
    private int _seq;

    /// <summary>What the engine was started with, for the test log.</summary>
    public string CommandLine { get; }

    /// <summary>Power-on to the shell's first prompt, as the host saw it.</summary>
    public TimeSpan BootTime { get; }

    public EngineProcess Engine => _vm;

    /// <summary>
    /// Boots the guest with these engine options (before the memory size) and extra kernel arguments.
    /// <paramref name="whileBooting"/>, if given, watches the boot before the shell is waited for
    /// (it may skip the test on a known symptom).
    /// </summary>
    public BusyboxGuest(string vmlinux, string initramfs, string[] engineOptions, string[] kernelArgs,
        Action<EngineProcess>? whileBooting = null)
    {
        string[] args = ["--on-reboot=exit", $"--initrd={initramfs}", .. engineOptions, "128", vmlinux,
            "console=ttyS0", "rodata=off", "panic=-1", "reboot=k", .. kernelArgs];
        CommandLine = "lguest " + string.Join(' ', args);
        var sw = Stopwatch.StartNew();
        _vm = EngineProcess.Start(args);
        try
        {
            whileBooting?.Invoke(_vm);
            _vm.WaitForOutput("lguestps: root shell on /dev/", timeout: BootTimeout);
            // Then the shell's first prompt: what is typed before it can be lost (seen under nested KVM:
            // the line was echoed by the terminal, then the shell started and never read it). The prompt
            // is printed once the line editor has the terminal; the first command's answer proves it reads.
            _vm.WaitForOutput(Prompt, timeout: BootTimeout);
            Run("true", BootTimeout);
            BootTime = sw.Elapsed;
        }
        catch
        {
            _vm.Dispose();
            throw;
        }
    }

    /// <summary>Runs one shell command line; returns its output lines (CR stripped) and exit status.</summary>
    public (string Output, int ExitCode) Run(string command, TimeSpan? timeout = null)
    {
        int n = Interlocked.Increment(ref _seq);
        string tag = $"LG{Environment.ProcessId:x}q{n}";
        // Typed: echo "<tag>""S"; <command>; echo "<tag>""E:$?:""<tag>"
        // Printed: <tag>S ... <tag>E:<status>:<tag>
        _vm.WriteStdin($"echo \"{tag}\"\"S\"; {command}; echo \"{tag}\"\"E:$?:\"\"{tag}\"\n");
        _vm.WaitForOutput($":{tag}", timeout: timeout ?? EngineProcess.DefaultTimeout);
        string console = _vm.Stdout.Replace("\r", "");
        var m = Regex.Match(console, $@"{tag}S\n(?<out>[\s\S]*?){tag}E:(?<rc>\d+):{tag}");
        Assert.True(m.Success, $"no output markers for `{command}`:\n{console}");
        return (m.Groups["out"].Value, int.Parse(m.Groups["rc"].Value));
    }

    public void Dispose() => _vm.Dispose();
}
