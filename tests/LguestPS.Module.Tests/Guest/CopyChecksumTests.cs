using System.Security.Cryptography;
using LguestPS.Guest;
using LguestPS.Session;

namespace LguestPS.Module.Tests;

/*
 * The checksum is what stands between console noise and a corrupt file, so
 * it is tested with corruption: one base64 character changed on the way in
 * (the guest must notice) and on the way out (we must), with a real shell
 * on a real terminal at the other end. Either way the copy fails with
 * CopyChecksumMismatch and no file is left on either side.
 */
public sealed class CopyChecksumTests : IDisposable
{
    private readonly PtyShell _pty = PtyShell.Start("busybox ash");
    private readonly string _dir = Directory.CreateTempSubdirectory("lguestps-checksum-").FullName;

    public void Dispose()
    {
        _pty.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>Passes everything through, except that it changes one character of the first long base64 line in the chosen direction.</summary>
    private sealed class Corrupting(IConsoleChannel inner, bool sending) : IConsoleChannel
    {
        private bool _done;

        internal bool Corrupted => _done;

        public void Send(string text) => inner.Send(sending ? Corrupt(text, 3000) : text);

        public ConsoleRead Read(TimeSpan timeout, CancellationToken cancel, out string line)
        {
            var r = inner.Read(timeout, cancel, out line);
            // A data line of busybox's base64: exactly 76 characters of the alphabet (not an echo of what we typed).
            if (!sending && r == ConsoleRead.Line && System.Text.RegularExpressions.Regex.IsMatch(line, "^[A-Za-z0-9+/]{76}$")) line = Corrupt(line, 76);
            return r;
        }

        private string Corrupt(string text, int length)
        {
            if (_done || text.Length < length || text.Contains(' ')) return text;
            _done = true;
            char[] c = text.ToCharArray();
            c[10] = c[10] == 'A' ? 'B' : 'A';
            return new string(c);
        }
    }

    private string[] Leftovers() => Directory.GetFileSystemEntries(_dir).Where(f => f.Contains(".lgps-") || f.EndsWith(".tmp")).ToArray();

    [Fact]
    public void DataChangedOnTheWayInIsCaughtByTheGuest()
    {
        string source = Path.Combine(_dir, "in.bin");
        File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(20_000));
        var channel = new Corrupting(_pty.Claim, sending: true);
        var shell = new ShellSession(channel, "pty", inStep: false, CancellationToken.None);
        var e = Assert.Throws<LguestException>(() => GuestFileCopy.ToGuest(shell, "pty", source, Path.Combine(_dir, "out.bin"), false, Deadline.Seconds(60)));
        Assert.True(channel.Corrupted);
        Assert.Equal("CopyChecksumMismatch", e.ErrorId);
        Assert.False(File.Exists(Path.Combine(_dir, "out.bin")));
        Assert.Empty(Leftovers());
        Assert.True(shell.InStep, _pty.Dump());
    }

    [Fact]
    public void DataChangedOnTheWayOutIsCaughtByUs()
    {
        string source = Path.Combine(_dir, "src.bin");
        File.WriteAllBytes(source, RandomNumberGenerator.GetBytes(20_000));
        var channel = new Corrupting(_pty.Claim, sending: false);
        var shell = new ShellSession(channel, "pty", inStep: false, CancellationToken.None);
        var e = Assert.Throws<LguestException>(() => GuestFileCopy.FromGuest(shell, "pty", source, Path.Combine(_dir, "copy.bin"), false, Deadline.Seconds(60)));
        Assert.True(channel.Corrupted);
        Assert.Equal("CopyChecksumMismatch", e.ErrorId);
        Assert.False(File.Exists(Path.Combine(_dir, "copy.bin")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void WithoutCorruptionTheSameCopiesSucceed()
    {
        string source = Path.Combine(_dir, "ok.bin");
        var data = RandomNumberGenerator.GetBytes(20_000);
        File.WriteAllBytes(source, data);
        var shell = new ShellSession(_pty.Claim, "pty", inStep: false, CancellationToken.None);
        Assert.Equal(Path.Combine(_dir, "ok2.bin"), GuestFileCopy.ToGuest(shell, "pty", source, Path.Combine(_dir, "ok2.bin"), false, Deadline.Seconds(60)));
        var back = GuestFileCopy.FromGuest(shell, "pty", Path.Combine(_dir, "ok2.bin"), Path.Combine(_dir, "ok3.bin"), false, Deadline.Seconds(60));
        Assert.Equal(data, File.ReadAllBytes(back.FullName));
    }
}
