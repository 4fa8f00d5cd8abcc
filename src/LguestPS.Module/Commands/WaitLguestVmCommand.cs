using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using LguestPS.Session;

namespace LguestPS.Commands;

/// <summary>
/// Wait-LguestVm: waits until VMs end, or with -Pattern until each one's
/// console shows a line that matches (expect-style: a match consumes the
/// console up to it, so successive waits walk forward through the output).
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "LguestVm", DefaultParameterSetName = ParameterSets.VM)]
[OutputType(typeof(LguestConsoleLine))]
[OutputType(typeof(LguestVm))]
public sealed class WaitLguestVmCommand : LguestVmCmdletBase
{
    private readonly List<LguestVm> _vms = new();
    private readonly CancellationTokenSource _cancel = new();
    private Regex? _regex;

    /// <summary>A regular expression to wait for on the console, instead of waiting for the VM to end.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Pattern { get; set; }

    /// <summary>Matches -Pattern case-sensitively (by default case does not matter, as with -match).</summary>
    [Parameter]
    public SwitchParameter CaseSensitive { get; set; }

    /// <summary>How many seconds to wait at most; -1 (the default) waits as long as it takes.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    /// <summary>Writes the VM to the pipeline when its wait is over.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (Pattern == null) return;
        try
        {
            _regex = new Regex(Pattern, RegexOptions.CultureInvariant | (CaseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase));
        }
        catch (ArgumentException e)
        {
            ThrowLguestError(LguestErrors.Fail("PatternInvalid", $"-Pattern '{Pattern}' is not a regular expression: {e.Message}", e), Pattern);
        }
    }

    protected override void ProcessRecord() => _vms.AddRange(TargetVms());

    /// <summary>All VMs share one deadline, as Hyper-V's Wait-VM does.</summary>
    protected override void EndProcessing()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan Left() => Timeout < 0 ? System.Threading.Timeout.InfiniteTimeSpan
            : TimeSpan.FromSeconds(Timeout) - clock.Elapsed is var l && l > TimeSpan.Zero ? l : TimeSpan.Zero;

        foreach (var vm in _vms)
        {
            if (_cancel.IsCancellationRequested) return;
            var run = VmRun.Of(vm);
            if (_regex != null)
            {
                if (run == null)
                {
                    WriteLguestError(LguestErrors.Fail("VmNotRunning", $"VM '{vm.Name}' has not been started, so its console is empty."), vm);
                    continue;
                }
                var line = run.History.WaitForMatch(_regex, Left(), _cancel.Token, out bool ended);
                if (line != null) WriteObject(line);
                else if (ended)
                {
                    WriteLguestError(LguestErrors.Fail("VmExitedBeforeMatch",
                        $"VM '{vm.Name}' ended ({vm.ExitReason}) before its console matched '{Pattern}'."), vm);
                    continue;
                }
                else
                {
                    if (!_cancel.IsCancellationRequested) WriteTimeout(vm, $"its console to match '{Pattern}'");
                    continue;
                }
            }
            else if (run != null && !run.HasEnded)
            {
                int signalled = WaitHandle.WaitAny(new[] { run.EndedHandle, _cancel.Token.WaitHandle }, Left());
                if (signalled != 0)
                {
                    if (!_cancel.IsCancellationRequested) WriteTimeout(vm, "it to end");
                    continue;
                }
            }
            if (PassThru) WriteObject(vm);
        }
    }

    private void WriteTimeout(LguestVm vm, string what) =>
        WriteLguestError(LguestErrors.Fail("WaitTimeout", $"Waited {Timeout} s for VM '{vm.Name}' and {what}; it is {vm.State}."), vm);

    protected override void StopProcessing() => _cancel.Cancel();
}
