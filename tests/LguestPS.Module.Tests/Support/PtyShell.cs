using System.Diagnostics;
using LguestPS.Client;
using LguestPS.Session;

namespace LguestPS.Module.Tests;

/*
 * A real POSIX shell behind a real pseudo-terminal, wired like a guest's
 * console: script(1) makes the pty the shell's controlling terminal (job
 * control on, ^C interrupts, the line discipline echoes and edits) and
 * relays it to our pipes, as the engine relays hvc0. The bytes coming back
 * go through the module's own ConsoleReader and ConsoleClaim, so the shell
 * protocol is tested on everything but KVM, in milliseconds instead of a
 * guest boot.
 */
internal sealed class PtyShell : IDisposable
{
    /// <summary>The shells a guest's console may have, by name: how to start each (under sh -c).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Shells = new Dictionary<string, string>
    {
        ["busybox ash"] = "exec busybox sh -i",             // echoes through its line editor, ESC [ 6n before prompts
        ["busybox ash, echo off"] = "stty -echo; exec busybox sh -i",
        // Echo back on at every prompt, whatever the conversation did: the echoing path stays tested.
        ["busybox ash, echo forced on"] = "export PS1=\"\\$(stty echo)/ # \"; exec busybox sh -i",
        // As the kernel starts init=/bin/sh: the console is its stdin but not its controlling
        // terminal (a session of its own), so no job control, and ^C sends no signal.
        ["busybox ash, no controlling terminal"] = "exec setsid -w busybox sh -i",
        ["dash"] = "exec dash -i",                           // no line editor: the terminal echoes
        ["bash"] = "exec bash --norc --noprofile -i",        // readline; '!' would be history expansion
    };

    private readonly Process _script;
    private readonly ConsoleReader _reader;
    private readonly object _stdinLock = new();

    internal PtyShell(string shellCommand)
    {
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        // A runner that started us in the background (CI) left SIGINT and SIGQUIT ignored, and an
        // ignored signal stays ignored across exec: ^C typed into the terminal would stop nothing.
        foreach (var a in new[] { "-q", "-f", "-e", "-c", $"env --default-signal=INT,QUIT sh -c '{shellCommand}'", "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";
        psi.Environment["PS1"] = "/ # ";
        // script(1) runs the command with $SHELL -c; bash would drop PS1 there (not interactive).
        psi.Environment["SHELL"] = "/bin/sh";
        _script = Process.Start(psi)!;
        Claim = new ConsoleClaim(Write, () => { });
        _reader = new ConsoleReader(_script.StandardOutput.BaseStream, "pty", Stopwatch.StartNew(), TimeSpan.FromMilliseconds(200),
            line =>
            {
                lock (Transcript) Transcript.Add(line);
                Claim.Offer(line);
            }, "pty reader");
        _reader.Start();
        // The shell exiting ends the console, as the engine exiting ends a VM's.
        _script.EnableRaisingEvents = true;
        _script.Exited += (_, _) =>
        {
            _reader.Finish(TimeSpan.FromSeconds(2));
            Claim.Close();
        };
    }

    /// <summary>The console as a conversation sees it.</summary>
    internal ConsoleClaim Claim { get; }

    /// <summary>Every line the shell wrote, for failure messages.</summary>
    internal List<LguestConsoleLine> Transcript { get; } = new();

    internal static PtyShell Start(string name) => new(Shells[name]);

    private void Write(string text)
    {
        lock (_stdinLock)
        {
            try
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                _script.StandardInput.BaseStream.Write(bytes);
                _script.StandardInput.BaseStream.Flush();
            }
            catch (IOException e)
            {
                throw LguestErrors.Fail("VmNotRunning", "the pty shell has exited", e);
            }
        }
    }

    internal string Dump()
    {
        lock (Transcript) return string.Join("\n", Transcript.Where(l => !l.IsPartial).Select(l => l.Text));
    }

    internal bool Printed(string text)
    {
        lock (Transcript) return Transcript.Any(l => l.Text == text);
    }

    public void Dispose()
    {
        try { _script.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _script.WaitForExit(5000);
        _reader.Finish(TimeSpan.FromSeconds(2));
        Claim.Close();
        _script.Dispose();
    }
}
