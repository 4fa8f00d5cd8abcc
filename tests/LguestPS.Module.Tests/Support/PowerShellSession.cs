using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LguestPS.Module.Tests;

/// <summary>What a script produced: its output objects and its errors.</summary>
public sealed record PsResult(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors)
{
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();
    public T Single<T>() => Assert.Single(Objects<T>());
    public ErrorRecord SingleError => Assert.Single(Errors);
    public void AssertNoErrors() => Assert.True(Errors.Count == 0, string.Join("\n", Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
}

/*
 * One runspace per test class (opening one costs about 0.3 s): the default
 * session state with the assembled module imported, over a TextHost that
 * captures what Out-Default renders. Its current location is a scratch folder
 * holding the files the docs' examples name: ./vmlinuz, ./initrd.img,
 * ./disk.img, ./data.img and ./guest.bzImage (the real test guest when it is
 * built, else a stand-in with a bzImage header).
 */
public sealed class PowerShellSession : IDisposable
{
    private readonly StringWriter _out = new(), _err = new();

    public PowerShellSession()
    {
        WorkDir = Directory.CreateTempSubdirectory("lguestps-test-").FullName;
        Fixtures.Populate(WorkDir);
        Host = new TextHost(_out, _err, width: 160);
        Runspace = ModuleSession.Open(Host, Layout.Manifest);
        Runspace.SessionStateProxy.Path.SetLocation(WorkDir);
    }

    public string WorkDir { get; }
    public TextHost Host { get; }
    public Runspace Runspace { get; }

    /// <summary>Runs a script; returns its output and errors (a terminating error becomes the last error).</summary>
    public PsResult Invoke(string script, params (string Name, object? Value)[] variables)
    {
        foreach (var (name, value) in variables) Runspace.SessionStateProxy.SetVariable(name, value);
        using var ps = PowerShell.Create(Runspace);
        ps.AddScript(script);
        var errors = new List<ErrorRecord>();
        Collection<PSObject> output;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            output = new Collection<PSObject>();
            errors.AddRange(ps.Streams.Error);
            errors.Add(e.ErrorRecord);
            return new PsResult(output, errors);
        }
        errors.AddRange(ps.Streams.Error);
        return new PsResult(output, errors);
    }

    /// <summary>Runs a script through Out-Default and returns the text the host printed, output then errors (plain, no ANSI).</summary>
    public string Render(string script)
    {
        lock (_out)
        {
            _out.GetStringBuilder().Clear();
            _err.GetStringBuilder().Clear();
            using var ps = PowerShell.Create(Runspace);
            ps.AddScript(script).AddCommand("Out-Default");
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            ps.Invoke();
            return _out.ToString() + _err.ToString();
        }
    }

    /// <summary>Removes every VM (stopping the running ones) and every job, so tests do not see each other's.</summary>
    public void Reset()
    {
        Invoke("Get-LguestVm | Remove-LguestVm -Force -Confirm:$false; Get-Job | Remove-Job -Force");
    }

    public void Dispose()
    {
        try { Reset(); } catch (Exception) { }
        Runspace.Dispose();
        try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Files the tests and the docs' examples use.</summary>
internal static class Fixtures
{
    internal static void Populate(string dir)
    {
        File.WriteAllBytes(Path.Combine(dir, "vmlinuz"), FakeBzImage());
        File.WriteAllBytes(Path.Combine(dir, "vmlinux"), FakeElf());
        File.WriteAllBytes(Path.Combine(dir, "initrd.img"), new byte[4096]);
        File.WriteAllText(Path.Combine(dir, "notakernel.txt"), "This is not a kernel.\n");
        Sparse(Path.Combine(dir, "disk.img"), 1 << 20);
        Sparse(Path.Combine(dir, "data.img"), 1 << 20);
        Sparse(Path.Combine(dir, "odd.img"), 1000);
        if (File.Exists(Layout.GuestBzImage)) File.Copy(Layout.GuestBzImage, Path.Combine(dir, "guest.bzImage"));
        else File.WriteAllBytes(Path.Combine(dir, "guest.bzImage"), FakeBzImage());
        if (File.Exists(Layout.GuestElf)) File.Copy(Layout.GuestElf, Path.Combine(dir, "guest.elf"));
    }

    /// <summary>Enough of a bzImage for New-LguestVm's check: the boot flag and "HdrS" at 0x202.</summary>
    internal static byte[] FakeBzImage()
    {
        var b = new byte[4096];
        b[0x1fe] = 0x55; b[0x1ff] = 0xaa;
        "HdrS"u8.CopyTo(b.AsSpan(0x202));
        return b;
    }

    internal static byte[] FakeElf()
    {
        var b = new byte[64];
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.CopyTo(b, 0);
        return b;
    }

    private static void Sparse(string path, long size)
    {
        using var f = File.Create(path);
        f.SetLength(size);
    }
}
