using System.Management.Automation;

namespace LguestPS.Commands;

/// <summary>Get-LguestVm: the VMs of this session, by name (wildcards allowed) or all of them.</summary>
[Cmdlet(VerbsCommon.Get, "LguestVm")]
[OutputType(typeof(LguestVm))]
public sealed class GetLguestVmCommand : LguestCmdletBase
{
    /// <summary>The names of the VMs to get (wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VMName")]
    [ArgumentCompleter(typeof(LguestVmNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (Name == null)
            WriteObject(Registry.All, enumerateCollection: true);
        else
            foreach (var vm in ResolveNames(Name)) WriteObject(vm);
    }
}
