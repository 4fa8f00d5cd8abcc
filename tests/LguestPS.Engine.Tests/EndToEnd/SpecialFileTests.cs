using System.Net.Sockets;
using System.Text;

namespace LguestPS.Engine.Tests.EndToEnd;

/*
 * Nothing the user names can stall the engine at start: a FIFO with no
 * writer, a directory, /dev/zero or a socket where a kernel, initrd, disk or
 * chroot directory should be is refused at once with its own error id and a
 * message that says what the path really is. (A FIFO given as
 * --block=<fifo>,ro used to hang in open(2), deaf to SIGTERM.) No KVM is
 * needed: each is refused before a VM exists.
 */
public sealed class SpecialFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lguest-special").FullName;
    private readonly Socket _socket;

    public SpecialFileTests()
    {
        MakeFifo(Fifo);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Sock));
        _socket.Listen();
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_dir, true);
    }

    private string Fifo => Path.Combine(_dir, "fifo");
    private string Sock => Path.Combine(_dir, "sock");

    private static unsafe void MakeFifo(string path)
    {
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p)
            if (Tmds.Linux.LibC.mkfifo(pp, 0x1b6 /* 0666 */) != 0) throw new IOException($"mkfifo {path} failed");
    }

    private string PathOf(string kind) => kind switch
    {
        "fifo" => Fifo,
        "directory" => _dir,
        "chardev" => "/dev/zero",
        "socket" => Sock,
        _ => throw new ArgumentException(kind),
    };

    private static string Described(string kind) => kind switch
    {
        "fifo" => "a FIFO (named pipe)",
        "directory" => "a directory",
        "chardev" => "a character device",
        "socket" => "a socket",
        _ => throw new ArgumentException(kind),
    };

    public static TheoryData<string, string> Cases()
    {
        var d = new TheoryData<string, string>();
        foreach (var where in new[] { "kernel", "initrd", "block", "block-ro" })
            foreach (var kind in new[] { "fifo", "directory", "chardev", "socket" })
                d.Add(where, kind);
        foreach (var kind in new[] { "fifo", "chardev", "socket" })
            d.Add("chroot", kind);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsRefusedAtOnceForWhatItIs(string where, string kind)
    {
        string path = PathOf(kind);
        string[] args = where switch
        {
            "kernel" => ["64", path],
            "initrd" => [$"--initrd={path}", "64", TestGuest.BzImage],
            "block" => [$"--block={path}", "64", TestGuest.BzImage],
            "block-ro" => [$"--block={path},ro", "64", TestGuest.BzImage],
            _ => [$"--chroot={path}", "64", TestGuest.BzImage],
        };
        string expectedId = where switch
        {
            "kernel" => "KernelUnreadable",
            "initrd" => "InitrdUnreadable",
            "chroot" => "InvalidArgument",
            _ => "DeviceInvalid",
        };
        using var vm = EngineProcess.Start(["--log-format=json", .. args]);
        // The deadline only bounds a failure: a refusal takes milliseconds, a hang would take forever.
        Assert.Equal(1, vm.WaitForExit(TimeSpan.FromSeconds(30)));
        var error = vm.Events.Single(e => e.GetProperty("event").GetString() == "error");
        Assert.Equal(expectedId, error.GetProperty("id").GetString());
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains(path, message);
        Assert.Contains(Described(kind), message);
        Assert.Equal("error", vm.ExitEvent.GetProperty("reason").GetString());
    }
}
