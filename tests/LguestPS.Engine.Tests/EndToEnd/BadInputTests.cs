namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>Every kind of bad input gets one clear line, its own error id and a non-zero exit; never a stack trace or a hang.</summary>
public class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-bad").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string File(string name, byte[] content)
    {
        string p = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(p, content);
        return p;
    }

    private static (int Code, string Id, string Message, string Stderr) Run(params string[] args)
    {
        using var vm = EngineProcess.Start(["--log-format=json", .. args]);
        int code = vm.WaitForExit(TimeSpan.FromSeconds(60));
        var error = vm.Events.FirstOrDefault(e => e.GetProperty("event").GetString() == "error");
        Assert.DoesNotContain("   at ", vm.Stderr); // no stack traces
        Assert.Equal("", vm.Stdout);
        _ = vm.ExitEvent;
        return (code, error.ValueKind == System.Text.Json.JsonValueKind.Object ? error.GetProperty("id").GetString()! : "",
            error.ValueKind == System.Text.Json.JsonValueKind.Object ? error.GetProperty("message").GetString()! : "", vm.Stderr);
    }

    private static void Expect(string id, int code, (int Code, string Id, string Message, string Stderr) r, string mentions)
    {
        Assert.True(r.Id == id && r.Code == code, $"expected {id}/{code}, got {r.Id}/{r.Code}: {r.Stderr}");
        Assert.Contains(mentions, r.Message);
    }

    [Fact]
    public void UnknownOptionGetsUsageAndExit2()
    {
        using var vm = EngineProcess.Start("--frobnicate", "64", "k");
        Assert.Equal(2, vm.WaitForExit());
        Assert.Contains("unknown option '--frobnicate'", vm.Stderr);
        Assert.Contains("usage: lguest", vm.Stderr);
    }

    /// <summary>In text, a failure is one line: the error is not said again as the exit.</summary>
    [Fact]
    public void ATextErrorIsPrintedOnce()
    {
        using var vm = EngineProcess.Start("64", Path.Combine(_dir, "nope"));
        Assert.Equal(1, vm.WaitForExit());
        Assert.Equal($"lguest: kernel '{Path.Combine(_dir, "nope")}' not found; check the path\n", vm.Stderr);
    }

    /// <summary>Under --log-format=json a usage error is events too: nothing on stderr that is not JSON.</summary>
    [Fact]
    public void AJsonUsageErrorIsEventsOnly()
    {
        using var vm = EngineProcess.Start("--log-format=json", "--rng", "--rng", "64", "k");
        Assert.Equal(2, vm.WaitForExit());
        var lines = vm.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("{", l));
        Assert.Equal(["error", "exit"], vm.Events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal("UsageError", vm.Events[0].GetProperty("id").GetString());
        Assert.Contains("--rng is given twice", vm.Events[0].GetProperty("message").GetString());
        Assert.Equal("usage", vm.ExitEvent.GetProperty("reason").GetString());
    }

    /// <summary>A --parent-pid that is not the engine's parent stops it before anything starts.</summary>
    [Fact]
    public void AParentPidThatIsNotTheParentIsRefused()
    {
        var r = Run("--parent-pid=1", "64", TestGuest.BzImage);
        Expect("InvalidArgument", 1, r, "--parent-pid=1");
        Assert.Contains($"parent is process {Environment.ProcessId}", r.Message);
    }

    [Fact]
    public void MissingKernel() => Expect("KernelNotFound", 1, Run("64", Path.Combine(_dir, "nope")), "nope");

    [Fact]
    public void DirectoryAsKernel() => Expect("KernelUnreadable", 1, Run("64", _dir), _dir);

    [Fact]
    public void TextFileIsNotAKernel() =>
        Expect("KernelInvalid", 1, Run("64", File("notes.txt", "just some text, not a kernel\n"u8.ToArray())), "notes.txt");

    [Fact]
    public void ElfForAnotherMachineIsRefused()
    {
        byte[] elf = new byte[64];
        "\x7fELF"u8.CopyTo(elf);
        elf[4] = 2; elf[5] = 1; elf[6] = 1; // 64-bit, little-endian, version 1
        elf[16] = 2;                        // ET_EXEC
        elf[18] = 183;                      // EM_AARCH64
        Expect("KernelInvalid", 1, Run("64", File("arm64.elf", elf)), "arm64.elf");
    }

    [Fact]
    public void TruncatedBzImageIsRefused()
    {
        byte[] image = System.IO.File.ReadAllBytes(TestGuest.BzImage);
        Expect("KernelInvalid", 1, Run("64", File("cut.bzImage", image[..(image.Length / 2)])), "cut.bzImage");
    }

    [Fact]
    public void MemoryTooSmallForTheKernel() => Expect("MemoryTooSmall", 1, Run("2", TestGuest.BzImage), "MiB");

    [Fact]
    public void MemoryLargerThanTheHost() => Expect("MemoryTooLarge", 1, Run("4000000", TestGuest.BzImage), "MiB");

    [Fact]
    public void MissingInitrd() =>
        Expect("InitrdNotFound", 1, Run($"--initrd={Path.Combine(_dir, "no.cpio")}", "64", TestGuest.BzImage), "no.cpio");

    [Fact]
    public void InitrdThatDoesNotFit()
    {
        string big = Path.Combine(_dir, "big.cpio");
        using (var f = System.IO.File.Create(big)) f.SetLength(60L << 20);
        Expect("InitrdTooLarge", 1, Run($"--initrd={big}", "64", TestGuest.BzImage), "big.cpio");
    }
}
