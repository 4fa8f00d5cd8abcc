using LguestPS.Engine.Cli;
using LguestPS.Engine.Interop;

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
    }

    [Fact]
    public void TheSandboxListIsWhatItSaysAndLeavesOutWhatMatters()
    {
        var program = Seccomp.Allowlist(SandboxPolicy.Allowed.Select(c => c.Number));
        foreach (var (_, nr) in SandboxPolicy.Allowed) Assert.Equal("allow", Seccomp.Evaluate(program, nr));
        var names = SandboxPolicy.Allowed.Select(c => c.Name).ToHashSet();
        foreach (var never in new[] { "open", "openat", "execve", "execveat", "socket", "connect", "ptrace", "chroot", "mount", "setuid", "kill", "fork", "vfork", "memfd_create" })
            Assert.DoesNotContain(never, names);
        Assert.Equal(names.Count, SandboxPolicy.Allowed.Length); // each once
    }

    [Fact]
    public void TheNumbersAreTheKernels()
    {
        string source = "#include <stdio.h>\n#include <asm/unistd_64.h>\nint main(void) {\n" +
            string.Concat(SandboxPolicy.Allowed.Select(c => $"    printf(\"{c.Name} %d\\n\", __NR_{c.Name});\n")) + "    return 0;\n}\n";
        var kernel = CHeaderProbe.Run("syscalls", source);
        foreach (var (name, nr) in SandboxPolicy.Allowed) Assert.Equal(kernel[name], nr);
    }
}
