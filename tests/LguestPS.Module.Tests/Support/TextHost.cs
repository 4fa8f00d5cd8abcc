using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace LguestPS.Module.Tests;

/*
 * A PSHost that writes to two TextWriters. Formatting (the module's
 * .format.ps1xml views) only happens through Out-Default into a host's UI, so
 * this is what makes tables appear in the in-process tests (writing to a
 * StringWriter); real pwsh runs the user-level specs (tests/pester). It cannot
 * prompt: with no one to answer, a prompt is an error, as in pwsh -NonInteractive.
 */
public sealed class TextHost : PSHost, IHostSupportsInteractiveSession
{
    private readonly TextHostUserInterface _ui;

    public TextHost(TextWriter output, TextWriter error, int width = 120, bool plainText = true)
    {
        _ui = new TextHostUserInterface(output, error, width, plainText);
    }

    public override string Name => "LguestPS.Module.Tests";
    public override Version Version { get; } = new(0, 1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");

    /// <summary>The exit code a script asked for with `exit N`.</summary>
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("The test host has no nested prompt.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("The test host has no nested prompt.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    // IHostSupportsInteractiveSession: only so that `exit` works the pwsh way.
    public bool IsRunspacePushed => false;
    public System.Management.Automation.Runspaces.Runspace Runspace => throw new NotSupportedException();
    public void PopRunspace() => throw new NotSupportedException();
    public void PushRunspace(System.Management.Automation.Runspaces.Runspace runspace) => throw new NotSupportedException();
}

internal sealed class TextHostUserInterface : PSHostUserInterface
{
    private readonly TextWriter _out, _err;
    private readonly TextRawUserInterface _raw;
    private readonly object _lock = new();
    private readonly bool _plainText;

    internal TextHostUserInterface(TextWriter output, TextWriter error, int width, bool plainText)
    {
        _out = output;
        _err = error;
        _raw = new TextRawUserInterface(width);
        _plainText = plainText;
    }

    public override PSHostRawUserInterface RawUI => _raw;

    /// <summary>Table headers and errors come decorated with ANSI escapes; a file or a test wants the plain text.</summary>
    private string Plain(string value) =>
        _plainText && value.Contains('\u001b') ? new System.Management.Automation.Internal.StringDecorated(value).ToString(OutputRendering.PlainText) : value;

    public override void Write(string value) { lock (_lock) _out.Write(Plain(value)); }
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);
    public override void WriteLine(string value) { lock (_lock) { _out.WriteLine(Plain(value)); _out.Flush(); } }
    public override void WriteErrorLine(string value) { lock (_lock) { _err.WriteLine(Plain(value)); _err.Flush(); } }
    public override void WriteDebugLine(string message) => WriteErrorLine("DEBUG: " + message);
    public override void WriteVerboseLine(string message) => WriteErrorLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message) => WriteErrorLine("WARNING: " + message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    public override string ReadLine() => Console.IsInputRedirected ? Console.ReadLine() ?? "" : throw NoPrompt();
    public override SecureString ReadLineAsSecureString() => throw NoPrompt();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw NoPrompt();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NoPrompt();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NoPrompt();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw NoPrompt();

    private static PSInvalidOperationException NoPrompt() =>
        new("The test host cannot prompt: pass the value on the command line, or -Confirm:$false.");
}

internal sealed class TextRawUserInterface : PSHostRawUserInterface
{
    private Size _size;

    internal TextRawUserInterface(int width) => _size = new Size(width, 50);

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override Size BufferSize { get => _size; set => _size = value; }
    public override Size WindowSize { get => _size; set => _size = value; }
    public override Size MaxWindowSize => _size;
    public override Size MaxPhysicalWindowSize => _size;
    public override Coordinates WindowPosition { get; set; }
    public override string WindowTitle { get; set; } = "LguestPS.Module.Tests";
    public override bool KeyAvailable => false;
    public override void FlushInputBuffer() { }
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("The test host cannot read keys.");
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
}
