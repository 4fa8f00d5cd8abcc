using System.Diagnostics;
using System.Text.Json;
using LguestPS.Engine.Cli;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Tests.EndToEnd;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>The sandbox's BPF program, run by a small interpreter of the instructions it uses, and its list checked against the kernel's numbers.</summary>
public class SeccompTests
{
    [Fact]
    public void TheProgramAllowsTheListTrapsTheRestAndKillsOtherArchitectures()
    {
        var program = Seccomp.Allowlist([0, 1, 16, 231, 435]);
        foreach (int nr in new[] { 0, 1, 16, 231, 435 }) Assert.Equal("allow", Seccomp.Evaluate(program, nr));
        foreach (int nr in new[] { 2, 15, 17, 59, 101, 257, 434, 436, 1000 }) Assert.Equal("trap", Seccomp.Evaluate(program, nr));
        Assert.Equal("trap", Seccomp.Evaluate(program, 0x40000000 | 1)); // x32's write
        Assert.Equal("kill", Seccomp.Evaluate(program, 1, arch: 0x40000003)); // i386

        var refusing = Seccomp.Allowlist([0, 1, 16], [2, 257, 1]);
        foreach (int nr in new[] { 0, 1, 16 }) Assert.Equal("allow", Seccomp.Evaluate(refusing, nr)); // allowed wins
        foreach (int nr in new[] { 2, 257 }) Assert.Equal("eacces", Seccomp.Evaluate(refusing, nr));
        foreach (int nr in new[] { 3, 59, 256, 258 }) Assert.Equal("trap", Seccomp.Evaluate(refusing, nr));
        Assert.Equal("trap", Seccomp.Evaluate(refusing, 0x40000000 | 257));
    }

    [Fact]
    public void TheSandboxListIsWhatItSaysAndLeavesOutWhatMatters()
    {
        var program = SandboxPolicy.Program();
        foreach (var (_, nr) in SandboxPolicy.Allowed) Assert.Equal("allow", Seccomp.Evaluate(program, nr));
        foreach (var (_, nr) in SandboxPolicy.Refused) Assert.Equal("eacces", Seccomp.Evaluate(program, nr));
        var names = SandboxPolicy.Allowed.Select(c => c.Name).ToHashSet();
        foreach (var never in new[] { "open", "openat", "openat2", "execve", "execveat", "socket", "connect", "ptrace", "chroot", "mount", "setuid", "kill", "fork", "vfork", "memfd_create" })
            Assert.DoesNotContain(never, names);
        Assert.Equal(names.Count, SandboxPolicy.Allowed.Length); // each once
        // What the control channel's thread calls (Cli/UnixSocket: accept4, SO_PEERCRED, recv, send) once a client comes.
        foreach (var control in new[] { "accept4", "getsockopt", "recvfrom", "sendto", "poll" })
            Assert.Contains(control, names);
    }

    [Fact]
    public void TheNumbersAreTheKernels()
    {
        string source = "#include <stdio.h>\n#include <asm/unistd_64.h>\nint main(void) {\n" +
            string.Concat(SandboxPolicy.Allowed.Concat(SandboxPolicy.Refused).Select(c => $"    printf(\"{c.Name} %d\\n\", __NR_{c.Name});\n")) + "    return 0;\n}\n";
        var kernel = CHeaderProbe.Run("syscalls", source);
        foreach (var (name, nr) in SandboxPolicy.Allowed.Concat(SandboxPolicy.Refused)) Assert.Equal(kernel[name], nr);
    }

    /// <summary>
    /// The real thing without KVM: the sandbox's own program and Native/sandbox.c in a small C process, which
    /// installs them on two threads, makes an allowed call, a refused one, then one off the list. The kernel must let the
    /// first through, fail the second with EACCES and stop the third, and the reporter must end the process with the contract's exit.
    /// </summary>
    [Fact]
    public void TheKernelRunsTheProgramAndTheReporterEndsTheProcess()
    {
        string dir = Directory.CreateTempSubdirectory("lguest-seccomp").FullName;
        try
        {
            var program = SandboxPolicy.Program();
            var bytes = new List<byte>();
            foreach (var i in program)
            {
                bytes.AddRange(BitConverter.GetBytes(i.Code));
                bytes.Add(i.Jt);
                bytes.Add(i.Jf);
                bytes.AddRange(BitConverter.GetBytes(i.K));
            }
            File.WriteAllBytes(Path.Combine(dir, "filter.bpf"), bytes.ToArray());
            File.WriteAllText(Path.Combine(dir, "harness.c"), """
                #include <errno.h>
                #include <fcntl.h>
                #include <linux/filter.h>
                #include <pthread.h>
                #include <stdio.h>
                #include <sys/syscall.h>
                #include <unistd.h>
                int lguest_sandbox_arm_reporter(int json, double seconds, int code);
                int lguest_sandbox_install(const struct sock_filter *code, unsigned short length, int all_threads);
                static int up[2], never[2];
                /* The second thread says it is up, then blocks in read(2), which is allowed: its own start-up
                   calls are over before the filter goes on, so only main's forbidden call can be reported. */
                static void *other(void *arg) { char c; (void)arg; write(up[1], "u", 1); read(never[0], &c, 1); return 0; }
                int main(int argc, char **argv)
                {
                    static struct sock_filter prog[1024];
                    FILE *f = fopen(argv[1], "rb");
                    size_t n = fread(prog, sizeof(prog[0]), 1024, f);
                    fclose(f);
                    pthread_t t;
                    char c;
                    if (pipe(up) || pipe(never)) return 51;
                    pthread_create(&t, 0, other, 0);
                    if (read(up[0], &c, 1) != 1) return 52;
                    if (lguest_sandbox_arm_reporter(argc > 2, 1.5, 10) || lguest_sandbox_install(prog, (unsigned short)n, 1))
                        return 50;
                    write(1, "allowed\n", 8);
                    int fd = open("/proc/meminfo", O_RDONLY); /* refused, not fatal: what the GC does */
                    dprintf(1, "open %d %d\n", fd, errno);
                    syscall(SYS_syslog, 10, 0, 0);
                    write(1, "not reached\n", 12);
                    return 0;
                }
                """);
            string exe = Path.Combine(dir, "harness");
            var (code, _, err) = RunProcess("gcc", "-pthread", "-o", exe, Path.Combine(dir, "harness.c"),
                Path.Combine(TestGuest.RepoRoot, "src/LguestPS.Engine/Native/sandbox.c"));
            Assert.True(code == 0, err);

            (code, string stdout, string stderr) = RunProcess(exe, Path.Combine(dir, "filter.bpf"), "json");
            Assert.Equal(10, code);
            Assert.Equal("allowed\nopen -1 13\n", stdout);
            var exit = JsonDocument.Parse(stderr).RootElement;
            Assert.Equal(("exit", "sandbox-violation", 10), (exit.GetProperty("event").GetString(), exit.GetProperty("reason").GetString(), exit.GetProperty("code").GetInt32()));
            Assert.InRange(exit.GetProperty("time").GetDouble(), 1.5, 60);
            Assert.True(exit.GetProperty("message").GetString()!.Contains("(number 103,"), exit.GetProperty("message").GetString());

            (code, _, stderr) = RunProcess(exe, Path.Combine(dir, "filter.bpf"));
            Assert.Equal(10, code);
            Assert.StartsWith("lguest: the sandbox stopped a forbidden system call (number 103,", stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static (int Code, string Stdout, string Stderr) RunProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}
