using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;

namespace LguestPS.Commands;

/// <summary>
/// Base of the cmdlets that talk to a running guest's console shell
/// (Invoke-LguestVmCommand, Copy-LguestVmFile): the VMs by name or object,
/// the -Timeout they share, and Ctrl+C reaching the guest.
/// </summary>
public abstract class GuestCmdletBase : LguestCmdletBase
{
    /// <summary>Cancelled when the user presses Ctrl+C: what runs in the guest is interrupted too.</summary>
    internal CancellationToken Cancel => _stopping.Token;

    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The names of the VMs.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VMName, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(LguestVmNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] VMName { get; set; } = null!;

    /// <summary>The VMs, usually from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.VM, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LguestVm[] VM { get; set; } = null!;

    /// <summary>Seconds it may take, the wait for the guest's shell included; -1 (the default) waits as long as it takes.</summary>
    [Parameter]
    [Alias("TimeoutSec")]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    /// <summary>The VMs this invocation addresses.</summary>
    internal IEnumerable<LguestVm> TargetVms() => ParameterSetName == ParameterSets.VM ? CheckObjects(VM) : ResolveNames(VMName);

    protected override void StopProcessing() => _stopping.Cancel();
}
