namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * A path or a kernel argument is bytes, and need not be UTF-8: the engine
 * passes them exactly (RawArgs, ByteString). .NET's Process can only pass
 * UTF-8, so bash makes the bytes here ($'\xff').
 */
public class RawBytesTests
{
    [SkippableFact]
    public void AKernelWithANonUtf8NameGetsANonUtf8ArgumentByteForByte()
    {
        KvmHost.Require();
        byte[] line = [.. "tests=cmdline x="u8, 0xff, 0xfe];
        using var vm = EngineProcess.StartShell(
            "d=$(mktemp -d) && k=\"$d\"/$'k\\xff' && cp \"$1\" \"$k\" && shift && " +
            "\"$0\" --on-reboot=exit 64 \"$k\" tests=cmdline $'x=\\xff\\xfe' \"$@\"; rc=$?; rm -rf \"$d\"; exit $rc",
            TestGuest.BzImage, "guest.cmdsum=" + Sum64.Hex(line));
        Assert.True(vm.WaitForExit() == 0, $"{vm.Stderr}\n{vm.Stdout}");
        TestGuest.AssertPassed(vm.Stdout, "cmdline"); // the guest's checksum of its command line matches the bytes sent
    }

    /// <summary>A text-mode error names a path in the bytes it was given, not U+FFFD.</summary>
    [Fact]
    public void ATextErrorShowsThePathsOwnBytes()
    {
        using var vm = EngineProcess.StartShell(
            "\"$0\" 64 $'/nonexistent/k\\xff' 2>&1 | LC_ALL=C grep -c $'^lguest: kernel \\'/nonexistent/k\\xff\\' not found'");
        Assert.Equal(0, vm.WaitForExit());
        Assert.Equal("1\n", vm.Stdout);
    }
}
