using System.Management.Automation;
using System.Security.Cryptography;

namespace LguestPS.Module.Tests;

/*
 * New-LguestInitramfs, judged by GNU cpio(1): what cpio lists and unpacks is
 * what the kernel will unpack. The busybox guest's boot is checked in the
 * provisioning end-to-end tests; here, the archive itself and every refusal.
 */
public sealed class InitramfsTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;
    private readonly string _dir;

    public InitramfsTests(PowerShellSession ps)
    {
        _ps = ps;
        _dir = Directory.CreateTempSubdirectory("lguestps-initramfs-").FullName;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertError(PsResult r, string errorId, ErrorCategory category)
    {
        var e = r.Errors.LastOrDefault();
        Assert.True(e != null, $"expected error {errorId}, got none");
        Assert.Equal(errorId, e!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, e.CategoryInfo.Category);
    }

    /// <summary>A folder with one of everything an archive must keep.</summary>
    private string MakeTree()
    {
        string root = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(Path.Combine(root, "etc", "private"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "etc", "secret"), "s3cret\n");
        File.SetUnixFileMode(Path.Combine(root, "etc", "secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetUnixFileMode(Path.Combine(root, "etc", "private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(root, "etc", "private", "key"), "k\n");
        File.WriteAllBytes(Path.Combine(root, "blob.bin"), RandomNumberGenerator.GetBytes(100_003)); // not a multiple of 4: padding
        File.WriteAllBytes(Path.Combine(root, "zero-length"), Array.Empty<byte>());
        File.WriteAllText(Path.Combine(root, "é x.txt"), "name with a space and UTF-8\n");
        File.CreateSymbolicLink(Path.Combine(root, "motd"), "etc/secret");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nowhere/at/all");
        Tool.Run("mkfifo", Path.Combine(root, "pipe")).Ok();
        return root;
    }

    private string Out(string name) => Path.Combine(_dir, name);

    [Fact]
    public void ArchivesAFolderAsItIsOwnedByRootWithDevConsole()
    {
        string root = MakeTree();
        var file = _ps.Invoke("New-LguestInitramfs -Path $out -SourcePath $src", ("out", Out("tree.cpio")), ("src", root)).Single<FileInfo>();
        Assert.Equal(Out("tree.cpio"), file.FullName);
        Assert.Equal(0, file.Length % 512);

        var members = CpioMember.List(file.FullName).ToDictionary(m => m.Name);
        Assert.All(members.Values, m => Assert.Equal(("root", "root"), (m.Owner, m.Group)));
        Assert.Equal(("crw-------", "5,1"), (members["dev/console"].Mode, members["dev/console"].Device));
        Assert.Equal("drwxr-xr-x", members["dev"].Mode);
        Assert.Equal("-rw-r-----", members["etc/secret"].Mode);
        Assert.Equal("drwx------", members["etc/private"].Mode);
        Assert.StartsWith("d", members["empty"].Mode);
        Assert.Equal(100_003, members["blob.bin"].Size);
        Assert.Equal(0, members["zero-length"].Size);
        Assert.Equal(("lrwxrwxrwx", "etc/secret"), (members["motd"].Mode, members["motd"].Target));
        Assert.Equal("/nowhere/at/all", members["dangling"].Target);
        Assert.StartsWith("p", members["pipe"].Mode);
        Assert.Contains("é x.txt", members.Keys);

        // Parents before children: the kernel creates no missing directory.
        var order = CpioMember.List(file.FullName).Select(m => m.Name).ToList();
        foreach (var (name, i) in order.Select((n, i) => (n, i)))
            if (name.LastIndexOf('/') is var slash and > 0)
                Assert.True(order.IndexOf(name[..slash]) is var p && p >= 0 && p < i, $"{name} comes before its directory");

        string unpacked = CpioMember.Extract(file.FullName, Path.Combine(_dir, "unpacked"));
        foreach (var f in new[] { "blob.bin", "etc/secret", "etc/private/key", "é x.txt", "zero-length" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, f)), File.ReadAllBytes(Path.Combine(unpacked, f)));
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(root, "blob.bin")).ToString("yyyy-MM-dd HH:mm:ss"),
            File.GetLastWriteTimeUtc(Path.Combine(unpacked, "blob.bin")).ToString("yyyy-MM-dd HH:mm:ss"));
    }

    [Fact]
    public void BusyBoxGivesAShellTheGuestsInitAndTheFolderGoesOnTop()
    {
        var plain = _ps.Invoke("New-LguestInitramfs -Path $out -BusyBox", ("out", Out("bb.cpio"))).Single<FileInfo>();
        var members = CpioMember.List(plain.FullName).ToDictionary(m => m.Name);
        Assert.Equal(("-rwxr-xr-x", new FileInfo("/bin/busybox").Length), (members["bin/busybox"].Mode, members["bin/busybox"].Size));
        Assert.Equal("/bin/busybox", members["bin/sh"].Target);
        Assert.Equal("/bin/busybox", members["sbin/acpid"].Target);
        Assert.Equal("/bin/busybox", members["bin/base64"].Target);
        Assert.Equal("drwxrwxrwt", members["tmp"].Mode);
        Assert.Equal("-rwxr-xr-x", members["init"].Mode);
        Assert.Equal("-rwxr-xr-x", members["sbin/lguestps-stop"].Mode);
        Assert.Equal("-rwxr-xr-x", members["etc/acpi/PWRF/00000080"].Mode);
        string unpacked = CpioMember.Extract(plain.FullName, Path.Combine(_dir, "bb"));
        string shipped = Path.Combine(Layout.Root, "src", "LguestPS.Module", "Images", "BusyBox", "rootfs");
        foreach (var f in new[] { "init", "sbin/lguestps-stop", "etc/acpi/PWRF/00000080" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(shipped, f)), File.ReadAllBytes(Path.Combine(unpacked, f)));

        string overlay = Path.Combine(_dir, "overlay");
        Directory.CreateDirectory(Path.Combine(overlay, "etc"));
        File.WriteAllText(Path.Combine(overlay, "init"), "#!/bin/sh\nexec /bin/sh\n");
        File.WriteAllText(Path.Combine(overlay, "etc", "motd"), "mine\n");
        // The folder by property name, as Get-Item ./overlay | New-LguestInitramfs binds it.
        var top = _ps.Invoke("[pscustomobject]@{ FullName = $src } | New-LguestInitramfs -Path $out -BusyBox", ("out", Out("top.cpio")), ("src", overlay)).Single<FileInfo>();
        string topDir = CpioMember.Extract(top.FullName, Path.Combine(_dir, "top"));
        Assert.Equal("#!/bin/sh\nexec /bin/sh\n", File.ReadAllText(Path.Combine(topDir, "init")));
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(topDir, "etc", "motd")));
        Assert.Single(CpioMember.List(top.FullName), m => m.Name == "init");
    }

    [Fact]
    public void CompressGzipsTheSameArchive()
    {
        var file = _ps.Invoke("New-LguestInitramfs -Path $out -SourcePath $src -Compress", ("out", Out("z.cpio.gz")), ("src", MakeTree())).Single<FileInfo>();
        var head = File.ReadAllBytes(file.FullName)[..2];
        Assert.Equal(new byte[] { 0x1f, 0x8b }, head);
        Tool.Run("sh", "-c", $"gzip -dc < '{file.FullName}' > '{Out("z.cpio")}'").Ok();
        Assert.Contains(CpioMember.List(Out("z.cpio")), m => m.Name == "blob.bin" && m.Size == 100_003);
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        _ps.Invoke("New-LguestInitramfs -Path $out -BusyBox -WhatIf", ("out", Out("whatif.cpio"))).AssertNoErrors();
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void AnExistingFileIsKeptWithoutForceAndReplacedWithIt()
    {
        File.WriteAllText(Out("keep.cpio"), "precious");
        var r = _ps.Invoke("New-LguestInitramfs -Path $out", ("out", Out("keep.cpio")));
        AssertError(r, "DestinationExists", ErrorCategory.ResourceExists);
        Assert.Contains("-Force", r.Errors[^1].Exception.Message);
        Assert.Equal("precious", File.ReadAllText(Out("keep.cpio")));

        _ps.Invoke("New-LguestInitramfs -Path $out -Force", ("out", Out("keep.cpio"))).AssertNoErrors();
        Assert.Contains(CpioMember.List(Out("keep.cpio")), m => m.Name == "dev/console");
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }

    public static TheoryData<string, string, ErrorCategory> BadInput => new()
    {
        { "New-LguestInitramfs -Path $d/out.cpio -SourcePath $d/no-such-folder", "SourcePathNotFound", ErrorCategory.ObjectNotFound },
        { "New-LguestInitramfs -Path $d/out.cpio -SourcePath $d/a-file", "SourcePathNotADirectory", ErrorCategory.InvalidArgument },
        { "New-LguestInitramfs -Path $d/no-such-dir/out.cpio", "DestinationDirectoryNotFound", ErrorCategory.ObjectNotFound },
        { "New-LguestInitramfs -Path $d/a-dir", "DestinationIsDirectory", ErrorCategory.InvalidArgument },
        { "New-LguestInitramfs -Path $d/out.cpio -BusyBox -BusyBoxPath $d/no-busybox", "BusyBoxNotFound", ErrorCategory.NotInstalled },
        { "New-LguestInitramfs -Path $d/out.cpio -BusyBox -BusyBoxPath /bin/bash", "BusyBoxNotStatic", ErrorCategory.NotInstalled },
        { "New-LguestInitramfs -Path $d/out.cpio -BusyBox -BusyBoxPath $d/a-file", "BusyBoxInvalid", ErrorCategory.InvalidData },
        { "New-LguestInitramfs -Path $d/out.cpio -BusyBox -SourcePath $d/bin-is-a-file", "InitramfsPathConflict", ErrorCategory.InvalidData },
    };

    /// <summary>Each refusal has its own errorId, says what to do, and leaves the folder as it was: no archive, no temporary file.</summary>
    [Theory]
    [MemberData(nameof(BadInput))]
    public void BadInputIsRefusedAndLeavesNothing(string script, string errorId, ErrorCategory category)
    {
        File.WriteAllText(Out("a-file"), "not a folder");
        Directory.CreateDirectory(Out("a-dir"));
        Directory.CreateDirectory(Out("bin-is-a-file"));
        File.WriteAllText(Path.Combine(Out("bin-is-a-file"), "bin"), "a file where busybox needs a directory");
        var before = Directory.GetFileSystemEntries(_dir).Order().ToList();
        var r = _ps.Invoke(script, ("d", _dir));
        AssertError(r, errorId, category);
        Assert.Single(r.Errors);
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir).Order().ToList());
        if (errorId.StartsWith("BusyBoxNot", StringComparison.Ordinal))
            Assert.Contains("apt-get install busybox-static", r.SingleError.Exception.Message);
    }
}
