using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LguestPS.Host;

// lguestps [-Module <psd1>] [-NoModule] (-Command <text> | -File <script.ps1> [arguments...] | <script.ps1> [arguments...])
const string Usage = """
    usage: lguestps [-Module <path to LguestPS.psd1>] [-NoModule] -Command <text>
           lguestps [-Module <path>] [-NoModule] [-File] <script.ps1> [arguments...]

    Runs PowerShell with the LguestPS module imported, on machines without pwsh.
    The module is found at $LGUESTPS_MODULE, beside this tool (out/LguestPS), or
    under ./out/LguestPS. Exit code: the script's `exit N`, else 1 if anything
    failed, else 0.
    """;

string? manifest = null, command = null, file = null;
bool noModule = false;
var scriptArgs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string a = args[i];
    if (file != null) { scriptArgs.Add(a); continue; }
    switch (a.ToLowerInvariant())
    {
        case "-module" when i + 1 < args.Length: manifest = args[++i]; break;
        case "-nomodule": noModule = true; break;
        case "-command" or "-c" when i + 1 < args.Length: command = string.Join(" ", args[(i + 1)..]); i = args.Length; break;
        case "-file" or "-f" when i + 1 < args.Length: file = args[++i]; break;
        case "-help" or "--help" or "-h" or "-?": Console.WriteLine(Usage); return 0;
        default:
            if (a.StartsWith('-')) { Console.Error.WriteLine($"lguestps: unknown option '{a}'\n{Usage}"); return 2; }
            file = a;
            break;
    }
}
if (command == null && file == null) { Console.Error.WriteLine(Usage); return 2; }
if (!noModule)
{
    manifest ??= ModuleSession.FindManifest();
    if (manifest == null || !File.Exists(manifest))
    {
        Console.Error.WriteLine("lguestps: the LguestPS module is not built. Run tools/build-module.sh first (or pass -Module <path to LguestPS.psd1>).");
        return 1;
    }
}

bool plain = Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") != null;
var host = new TextHost(Console.Out, Console.Error, Console.IsOutputRedirected ? 120 : Math.Max(Console.WindowWidth, 80), plain);
Runspace runspace;
try
{
    runspace = ModuleSession.Open(host, noModule ? null : Path.GetFullPath(manifest!));
}
catch (RuntimeException e)
{
    Console.Error.WriteLine($"lguestps: cannot import the module '{manifest}': {e.ErrorRecord?.Exception?.Message ?? e.Message}");
    return 1;
}
using var _ = runspace;
using var ps = PowerShell.Create(runspace);
if (plain) PSStyle.Instance.OutputRendering = OutputRendering.PlainText;

// A script file runs as pwsh -File runs it: "-Name value" binds by name, everything else is a literal.
static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
if (command != null) ps.AddScript(command);
else ps.AddScript("& " + Quote(Path.GetFullPath(file!)) + string.Concat(scriptArgs.Select(a =>
    " " + (a.Length > 1 && a[0] == '-' && char.IsLetter(a[1]) ? a : Quote(a)))));
// As pwsh does: errors go through Out-Default with the output, so they print where they happen.
ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
ps.AddCommand("Out-Default");

// ^C stops the pipeline; the module then stops the VMs it was running for it.
Console.CancelKeyPress += (_, e) => { e.Cancel = true; ps.BeginStop(null, null); };

bool failed = false;
try
{
    ps.Invoke();
    failed = ps.HadErrors;
}
catch (PipelineStoppedException)
{
    failed = true;
}
catch (RuntimeException e)
{
    Console.Error.WriteLine(e.ErrorRecord?.ToString() ?? e.Message);
    failed = true;
}
if (host.ExitCode is int code) return code;
if (file != null && runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is { } last
    && int.TryParse(last.ToString(), out int lastCode) && lastCode != 0) return lastCode;
return failed ? 1 : 0;
