using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;

namespace LguestPS.Session;

/*
 * The VMs of one runspace: what Get-LguestVm lists and -Name finds. Each
 * runspace has its own (two PowerShell tabs, two sets of VMs), and when a
 * runspace closes its running VMs are stopped with it: an engine never
 * outlives the session that started it.
 */
internal sealed class VmRegistry
{
    private static readonly ConcurrentDictionary<Guid, VmRegistry> ByRunspace = new();
    private static readonly VmRegistry Detached = new();

    private readonly List<LguestVm> _vms = new();

    /// <summary>The registry of the runspace this thread runs a pipeline for.</summary>
    internal static VmRegistry Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null) return Detached;
            return ByRunspace.GetOrAdd(runspace.InstanceId, _ =>
            {
                runspace.StateChanged += OnRunspaceStateChanged;
                return new VmRegistry();
            });
        }
    }

    private static void OnRunspaceStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        var state = e.RunspaceStateInfo.State;
        if (sender is not Runspace runspace ||
            (state != RunspaceState.Closing && state != RunspaceState.Closed && state != RunspaceState.Broken))
            return;
        runspace.StateChanged -= OnRunspaceStateChanged;
        if (ByRunspace.TryRemove(runspace.InstanceId, out var registry)) registry.StopAll();
    }

    /// <summary>Every VM, in the order they were created.</summary>
    internal IReadOnlyList<LguestVm> All
    {
        get { lock (_vms) return _vms.ToList(); }
    }

    internal LguestVm? Find(string name)
    {
        lock (_vms) return _vms.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    internal IReadOnlyList<LguestVm> Match(string nameOrPattern)
    {
        var pattern = new WildcardPattern(nameOrPattern, WildcardOptions.IgnoreCase);
        lock (_vms) return _vms.Where(v => pattern.IsMatch(v.Name)).ToList();
    }

    internal void Add(LguestVm vm)
    {
        lock (_vms)
        {
            if (Find(vm.Name) != null)
                throw LguestErrors.Fail("VmNameInUse", $"A VM named '{vm.Name}' already exists in this session. Choose another -Name, or remove it with Remove-LguestVm.");
            _vms.Add(vm);
        }
    }

    internal void Remove(LguestVm vm)
    {
        lock (_vms) _vms.Remove(vm);
        vm.Removed = true;
    }

    /// <summary>"guest", else "guest-2", "guest-3"...: a free name from a kernel's file name.</summary>
    internal string UniqueName(string baseName)
    {
        lock (_vms)
        {
            if (Find(baseName) == null) return baseName;
            for (int i = 2; ; i++)
                if (Find($"{baseName}-{i}") == null) return $"{baseName}-{i}";
        }
    }

    /// <summary>Stops every running VM at once (SIGTERM, then SIGKILL after the grace period) and waits for all.</summary>
    internal void StopAll()
    {
        var runs = All.Select(VmRun.Of).Where(r => r is { HasEnded: false }).ToList();
        Parallel.ForEach(runs, r => r!.Stop(StopMode.Terminate));
    }
}
