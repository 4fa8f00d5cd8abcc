using System.Management.Automation;
using System.Security.Cryptography;

namespace LguestPS.Module.Tests;

/*
 * New-LguestDisk, judged by e2fsprogs' own readers: debugfs reads files out
 * of the image without mounting it, dumpe2fs says what was made, e2fsck
 * says it is clean. The guest reading the disk is in the provisioning
 * end-to-end tests.
 */
public sealed class DiskTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;
    private readonly string _dir;

    public DiskTests(PowerShellSession ps)
    {
        _ps = ps;
        _dir = Directory.CreateTempSubdirectory("lguestps-disk-").FullName;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out(string name) => Path.Combine(_dir, name);

    private static string Debugfs(string image, string request) => Tool.Run("debugfs", "-R", request, image).Ok().Output;

    [Fact]
    public void ABlankDiskIsSparseAndExactlyTheSize()
    {
        var disk = _ps.Invoke("New-LguestDisk -Path $out -SizeMB 512", ("out", Out("blank.img"))).Single<FileInfo>();
        Assert.Equal(512L << 20, disk.Length);
        long blocks = long.Parse(Tool.Run("stat", "-c", "%b", disk.FullName).Ok().Output.Trim());
        Assert.True(blocks * 512 < 1 << 20, $"a blank disk takes {blocks * 512} bytes of the host's disk");
        Assert.All(File.ReadAllBytes(disk.FullName)[..65536], b => Assert.Equal(0, b));
    }

    [Fact]
    public void AFolderBecomesAnExt4FileSystemThatE2fsprogsReads()
    {
        string src = Path.Combine(_dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "etc"));
        byte[] blob = RandomNumberGenerator.GetBytes(300_000);
        File.WriteAllBytes(Path.Combine(src, "blob.bin"), blob);
        File.WriteAllText(Path.Combine(src, "etc", "hostname"), "provisioned\n");
        File.SetUnixFileMode(Path.Combine(src, "etc", "hostname"), (UnixFileMode)0x180);

        var disk = _ps.Invoke("New-LguestDisk -Path $out -SizeMB 32 -SourcePath $src -Label data", ("out", Out("data.img")), ("src", src)).Single<FileInfo>();
        Assert.Equal(32L << 20, disk.Length);
        Tool.Run("e2fsck", "-fn", disk.FullName).Ok();
        string header = Tool.Run("dumpe2fs", "-h", disk.FullName).Ok().Output;
        Assert.Matches(@"Filesystem volume name:\s+data\n", header);
        Assert.Matches(@"Filesystem features:.*\bextent\b", header);
        Assert.Matches(@"Filesystem features:.*\bhas_journal\b", header);
        Assert.Equal("provisioned\n", Debugfs(disk.FullName, "cat /etc/hostname"));
        Assert.Contains("Mode:  0600", Debugfs(disk.FullName, "stat /etc/hostname"));
        Assert.Matches(@"User:\s+0\s+Group:\s+0", Debugfs(disk.FullName, "stat /"));
        Tool.Run("debugfs", "-R", $"dump /blob.bin {Out("blob.out")}", disk.FullName).Ok();
        Assert.Equal(blob, File.ReadAllBytes(Out("blob.out")));
    }

    [Fact]
    public void Ext2HasNoJournal()
    {
        var disk = _ps.Invoke("New-LguestDisk $out 8 -FileSystem ext2", ("out", Out("e2.img"))).Single<FileInfo>();
        string header = Tool.Run("dumpe2fs", "-h", disk.FullName).Ok().Output;
        Assert.DoesNotMatch(@"Filesystem features:.*\bhas_journal\b", header);
    }

    [Fact]
    public void AFolderTooLargeForTheDiskFailsWithMke2fsWordsAndLeavesNothing()
    {
        string src = Path.Combine(_dir, "big");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, "big.bin"), RandomNumberGenerator.GetBytes(3 << 20));
        var r = _ps.Invoke("New-LguestDisk -Path $out -SizeMB 2 -SourcePath $src", ("out", Out("small.img")), ("src", src));
        var e = r.SingleError;
        Assert.Equal("DiskFormatFailed", e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
        Assert.Contains("mke2fs", e.Exception.Message);
        Assert.Contains("larger -SizeMB", e.Exception.Message);
        Assert.DoesNotContain(".tmp", e.Exception.Message);
        Assert.Equal(new[] { src }, Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void AnExistingImageIsKeptWithoutForceAndReplacedWithIt()
    {
        File.WriteAllText(Out("keep.img"), "precious");
        var r = _ps.Invoke("New-LguestDisk -Path $out -SizeMB 4", ("out", Out("keep.img")));
        Assert.Equal("DestinationExists", r.SingleError.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("precious", File.ReadAllText(Out("keep.img")));
        _ps.Invoke("New-LguestDisk -Path $out -SizeMB 4 -FileSystem ext4 -Force", ("out", Out("keep.img"))).AssertNoErrors();
        Assert.Equal(4L << 20, new FileInfo(Out("keep.img")).Length);
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("New-LguestDisk -Path $d/x.img -SizeMB 4 -SourcePath $d/missing", "SourcePathNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("New-LguestDisk -Path $d/missing/x.img -SizeMB 4", "DestinationDirectoryNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("New-LguestDisk -Path $d/x.img -SizeMB 0", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
    [InlineData("New-LguestDisk -Path $d/x.img -SizeMB 4 -FileSystem xfs", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
    public void BadInputIsRefusedAndLeavesNothing(string script, string errorId, ErrorCategory category)
    {
        var r = _ps.Invoke(script, ("d", _dir));
        var e = r.Errors.Last();
        Assert.Equal(errorId, e.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, e.CategoryInfo.Category);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void WhatIfMakesNothing()
    {
        _ps.Invoke("New-LguestDisk -Path $out -SizeMB 4 -FileSystem ext4 -WhatIf", ("out", Out("w.img"))).AssertNoErrors();
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
