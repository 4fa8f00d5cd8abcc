using System.Management.Automation;
using System.Security.Cryptography;

namespace LguestPS.Module.Tests;

/*
 * Copy-LguestVmFile as a user calls it, on fake-engine "VMs" with a real
 * busybox shell on a real terminal (as in InvokeCommandTests). The guest
 * side's files are on this host, so the tests can look at both sides; the
 * busybox guest on KVM does the same in ProvisioningTests.
 */
[Collection(EngineCollection.Name)]
public sealed class CopyFileTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;
    private readonly FakeEngine _engine;
    private readonly string _host, _guest;

    public CopyFileTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
        _engine = FakeEngine.BusyBoxShell(ps.WorkDir);
        _host = Directory.CreateTempSubdirectory("lguestps-copy-host-").FullName;
        _guest = Directory.CreateTempSubdirectory("lguestps-copy-guest-").FullName;
        Run("New-LguestVm -Name cp -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm | Out-Null").AssertNoErrors();
    }

    public void Dispose()
    {
        _ps.Reset();
        _engine.Dispose();
        Directory.Delete(_host, true);
        Directory.Delete(_guest, true);
    }

    private PsResult Run(string script) => _ps.Invoke(script, ("h", _host), ("g", _guest));

    private static byte[] RandomFile(string path, int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        File.WriteAllBytes(path, data);
        return data;
    }

    private static ErrorRecord Error(PsResult r, string errorId, ErrorCategory category)
    {
        var e = r.Errors.LastOrDefault();
        Assert.True(e != null, $"expected {errorId}, got no error");
        Assert.Equal((errorId, category), (e!.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        return e;
    }

    /// <summary>Nothing half-written: no temporary file of ours on either side.</summary>
    private void AssertNoLeftovers()
    {
        Assert.DoesNotContain(Directory.GetFiles(_guest), f => f.Contains(".lgps-"));
        Assert.DoesNotContain(Directory.GetFiles(_host), f => f.EndsWith(".tmp"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536)]
    [InlineData(300_001)]
    public void BinaryFilesGoBothWaysByteForByte(int size)
    {
        var data = RandomFile(Path.Combine(_host, "in.bin"), size);
        Run("Copy-LguestVmFile -VMName cp -SourcePath $h/in.bin -DestinationPath $g/in.bin -Timeout 120").AssertNoErrors();
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_guest, "in.bin")));

        Run("Copy-LguestVmFile -VMName cp -SourcePath $g/in.bin -DestinationPath $h/back.bin -FromGuest -Timeout 120").AssertNoErrors();
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(File.ReadAllBytes(Path.Combine(_host, "back.bin"))));
        AssertNoLeftovers();
    }

    [Fact]
    public void ADirectoryDestinationReceivesTheFileUnderItsName()
    {
        var data = RandomFile(Path.Combine(_host, "named.bin"), 1000);
        Run("Copy-LguestVmFile -VMName cp $h/named.bin $g -Timeout 60").AssertNoErrors();
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_guest, "named.bin")));
        Directory.CreateDirectory(Path.Combine(_host, "into"));
        Run("Get-LguestVm cp | Copy-LguestVmFile $g/named.bin $h/into -FromGuest -Timeout 60").AssertNoErrors();
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_host, "into", "named.bin")));
    }

    [Fact]
    public void AnExistingFileIsKeptWithoutForceOnBothSides()
    {
        RandomFile(Path.Combine(_host, "new.bin"), 500);
        File.WriteAllText(Path.Combine(_guest, "old.bin"), "guest's");
        File.WriteAllText(Path.Combine(_host, "old.bin"), "host's");
        Error(Run("Copy-LguestVmFile -VMName cp $h/new.bin $g/old.bin -Timeout 60"), "GuestDestinationExists", ErrorCategory.ResourceExists);
        Assert.Equal("guest's", File.ReadAllText(Path.Combine(_guest, "old.bin")));
        Error(Run("Copy-LguestVmFile -VMName cp $g/old.bin $h/old.bin -FromGuest -Timeout 60"), "DestinationExists", ErrorCategory.ResourceExists);
        Assert.Equal("host's", File.ReadAllText(Path.Combine(_host, "old.bin")));

        Run("Copy-LguestVmFile -VMName cp $h/new.bin $g/old.bin -Force -Timeout 60").AssertNoErrors();
        Assert.Equal(File.ReadAllBytes(Path.Combine(_host, "new.bin")), File.ReadAllBytes(Path.Combine(_guest, "old.bin")));
        Run("Copy-LguestVmFile -VMName cp $g/old.bin $h/old.bin -FromGuest -Force -Timeout 60").AssertNoErrors();
        Assert.Equal(File.ReadAllBytes(Path.Combine(_host, "new.bin")), File.ReadAllBytes(Path.Combine(_host, "old.bin")));
        AssertNoLeftovers();
    }

    public static TheoryData<string, string, ErrorCategory> BadCopies => new()
    {
        { "Copy-LguestVmFile -VMName cp $h/missing.bin $g/x -Timeout 60", "SourcePathNotFound", ErrorCategory.ObjectNotFound },
        { "Copy-LguestVmFile -VMName cp $h $g/x -Timeout 60", "SourcePathIsDirectory", ErrorCategory.InvalidArgument },
        { "Copy-LguestVmFile -VMName cp $h/small.bin $g/no/such/dir/x -Timeout 60", "GuestDirectoryNotFound", ErrorCategory.ObjectNotFound },
        { "Copy-LguestVmFile -VMName cp $h/small.bin /proc/self/x -Timeout 60", "GuestDestinationUnwritable", ErrorCategory.PermissionDenied },
        { "Copy-LguestVmFile -VMName cp $g/missing.bin $h/x -FromGuest -Timeout 60", "GuestFileNotFound", ErrorCategory.ObjectNotFound },
        { "Copy-LguestVmFile -VMName cp $g -FromGuest $h/x -Timeout 60", "GuestPathIsDirectory", ErrorCategory.InvalidArgument },
        { "Copy-LguestVmFile -VMName cp $g/small.bin $h/no/such/dir/x -FromGuest -Timeout 60", "DestinationDirectoryNotFound", ErrorCategory.ObjectNotFound },
        { "Copy-LguestVmFile -VMName nosuch $h/small.bin $g/x", "VmNotFound", ErrorCategory.ObjectNotFound },
    };

    /// <summary>Each refusal has its own errorId and leaves nothing behind on either side.</summary>
    [Theory]
    [MemberData(nameof(BadCopies))]
    public void BadCopiesAreRefusedAndLeaveNothing(string script, string errorId, ErrorCategory category)
    {
        RandomFile(Path.Combine(_host, "small.bin"), 100);
        File.Copy(Path.Combine(_host, "small.bin"), Path.Combine(_guest, "small.bin"));
        var host = Directory.GetFileSystemEntries(_host).Order().ToList();
        var guest = Directory.GetFileSystemEntries(_guest).Order().ToList();
        var r = Run(script);
        Error(r, errorId, category);
        Assert.Single(r.Errors);
        Assert.Equal(host, Directory.GetFileSystemEntries(_host).Order());
        Assert.Equal(guest, Directory.GetFileSystemEntries(_guest).Order());
        // The console is left usable.
        Assert.Equal(new[] { "fine" }, Run("Invoke-LguestVmCommand -VMName cp 'echo fine' -Timeout 60").Single<LguestCommandResult>().Output);
    }

    /// <summary>An immutable directory refuses even root (busybox's test -w says yes to root whatever the directory).</summary>
    [SkippableFact]
    public void AnUnwritableGuestDirectoryIsRefused()
    {
        string locked = Path.Combine(_guest, "locked");
        Directory.CreateDirectory(locked);
        Skip.If(Tool.Run("chattr", "+i", locked).ExitCode != 0, "chattr +i needs root (CAP_LINUX_IMMUTABLE) and a file system with attributes");
        try
        {
            RandomFile(Path.Combine(_host, "small.bin"), 100);
            Error(Run("Copy-LguestVmFile -VMName cp $h/small.bin $g/locked/x -Timeout 60"), "GuestDestinationUnwritable", ErrorCategory.PermissionDenied);
            Assert.Empty(Directory.GetFileSystemEntries(locked));
        }
        finally
        {
            Tool.Run("chattr", "-i", locked).Ok();
        }
    }

    [Fact]
    public void AVmThatIsNotRunningIsRefused()
    {
        RandomFile(Path.Combine(_host, "f.bin"), 10);
        Run("New-LguestVm -Name stopped -MemoryMB 64 -Kernel ./vmlinuz | Out-Null").AssertNoErrors();
        Error(Run("Copy-LguestVmFile -VMName stopped $h/f.bin $g/f.bin"), "VmNotRunning", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public void WhatIfCopiesNothingAndPassThruGivesTheVm()
    {
        RandomFile(Path.Combine(_host, "w.bin"), 10);
        Run("Copy-LguestVmFile -VMName cp $h/w.bin $g/w.bin -WhatIf").AssertNoErrors();
        Assert.False(File.Exists(Path.Combine(_guest, "w.bin")));
        var vm = Run("Copy-LguestVmFile -VMName cp $h/w.bin $g/w.bin -PassThru -Timeout 60").Single<LguestVm>();
        Assert.Equal("cp", vm.Name);
        Assert.True(File.Exists(Path.Combine(_guest, "w.bin")));
    }
}
