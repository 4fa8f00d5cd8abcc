using System.Management.Automation;

namespace LguestPS.Module.Tests;

/*
 * What the cmdlets do before any engine runs: the builder pipeline, binding,
 * validation at the line that is wrong (each failure with its errorId and
 * category), -WhatIf changing nothing, and the session's VM list.
 */
public class CmdletBehaviourTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public CmdletBehaviourTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private PsResult Run(string script, params (string, object?)[] vars) => _ps.Invoke(script, vars);

    private static void AssertError(PsResult r, string errorId, ErrorCategory category)
    {
        var e = r.Errors.LastOrDefault();
        Assert.True(e != null, $"expected error {errorId}, got none");
        Assert.Equal(errorId, e!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, e.CategoryInfo.Category);
    }

    /// <summary>The PCI bus has room for LguestPS.Contract.Limits.MaxDevices devices besides the console: the next one is refused when added, not when the VM starts.</summary>
    [Fact]
    public void AVmTakesNoMoreDevicesThanItsBusHasSlotsFor()
    {
        int max = LguestPS.Contract.Limits.MaxDevices;
        for (int i = 0; i <= max; i++)
            using (var f = File.Create(Path.Combine(_ps.WorkDir, $"many{i}.img"))) f.SetLength(512);
        var r = Run($"$vm = New-LguestVm -Name full -MemoryMB 64 -Kernel ./vmlinuz; 0..{max - 2} | ForEach-Object {{ $vm | Add-LguestBlockDevice -Path \"./many$_.img\" | Out-Null }}; $vm | Add-LguestRng | Out-Null; $vm | Add-LguestBlockDevice -Path ./many{max}.img; $vm");
        AssertError(r, "TooManyDevices", ErrorCategory.LimitsExceeded);
        Assert.Single(r.Errors);
        Assert.Equal(max, r.Single<LguestVm>().Devices.Count);
    }

    [Fact]
    public void TheBuilderPipelinePassesTheVmThrough()
    {
        var r = Run("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice -Path ./disk.img | Add-LguestBlockDevice -Path ./data.img -ReadOnly | Add-LguestTapNetwork -IPAddress 169.254.7.1 -MacAddress 52:54:00:AB:CD:EF");
        r.AssertNoErrors();
        var vm = r.Single<LguestVm>();
        Assert.Equal("vmlinuz", vm.Name);
        Assert.Equal(64, vm.MemoryMB);
        Assert.Equal(1, vm.Cpus);
        Assert.Equal(Path.Combine(_ps.WorkDir, "vmlinuz"), vm.Kernel);
        Assert.Equal(LguestVmState.Off, vm.State);
        Assert.Null(vm.ProcessId);
        Assert.Equal(new[] { "Rng", "Block", "Block", "TapNetwork" }, vm.Devices.Select(d => d.Kind));
        var disk = (LguestBlockDevice)vm.Devices[2];
        Assert.Equal(Path.Combine(_ps.WorkDir, "data.img"), disk.Path);
        Assert.True(disk.ReadOnly);
        Assert.Equal(1 << 20, disk.SizeBytes);
        var net = (LguestTapNetwork)vm.Devices[3];
        Assert.Equal(("169.254.7.1", (string?)null, "52:54:00:ab:cd:ef"), (net.IPAddress, net.Bridge, net.MacAddress));
    }

    [Fact]
    public void NewLguestVmTakesEveryOption()
    {
        var vm = Run("New-LguestVm -Name web1 -MemoryMB 128 -Cpus 2 -Kernel ./vmlinux -Initrd ./initrd.img -KernelArguments 'console=hvc0  quiet' -OnReboot Exit -UserName nobody -ChrootPath . -NoHostQuirks").Single<LguestVm>();
        Assert.False(vm.HostQuirks);
        Assert.Equal(("web1", 128, 2, LguestRebootAction.Exit), (vm.Name, vm.MemoryMB, vm.Cpus, vm.OnReboot));
        Assert.Equal(Path.Combine(_ps.WorkDir, "initrd.img"), vm.Initrd);
        Assert.Equal("console=hvc0  quiet", vm.KernelArguments);
        Assert.Equal(("nobody", _ps.WorkDir), (vm.UserName, vm.ChrootPath));
    }

    [Fact]
    public void NamesAreUniqueAndDefaultFromTheKernel()
    {
        var names = Run("1..3 | ForEach-Object { New-LguestVm -MemoryMB 64 -Kernel ./guest.bzImage } | ForEach-Object Name").Output.Select(o => o.ToString());
        Assert.Equal(new[] { "guest", "guest-2", "guest-3" }, names);
        AssertError(Run("New-LguestVm -Name GUEST -MemoryMB 64 -Kernel ./vmlinuz"), "VmNameInUse", ErrorCategory.ResourceExists);
    }

    [Fact]
    public void KernelPathsBindFromThePipelineByPropertyName()
    {
        var vm = Run("[pscustomobject]@{ FullName = './vmlinuz' } | New-LguestVm -Name fromfile -MemoryMB 64").Single<LguestVm>();
        Assert.Equal(Path.Combine(_ps.WorkDir, "vmlinuz"), vm.Kernel);
    }

    [Fact]
    public void DiskPathsAndVmNamesBindByPropertyName()
    {
        Run("New-LguestVm -Name byprop -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        var vm = Run("[pscustomobject]@{ FullName = './disk.img' } | Add-LguestBlockDevice -VMName byprop").Single<LguestVm>();
        Assert.Equal(Path.Combine(_ps.WorkDir, "disk.img"), ((LguestBlockDevice)Assert.Single(vm.Devices)).Path);
        Assert.Same(vm, Run("[pscustomobject]@{ Name = 'byprop' } | Get-LguestVm").Single<LguestVm>());
        Assert.Equal("VmNotRunning", Run("[pscustomobject]@{ Name = 'byprop' } | Send-LguestVmConsole -Text x").SingleError.FullyQualifiedErrorId.Split(',')[0]);
    }

    [Theory]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./nope", "KernelNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./notakernel.txt", "KernelInvalid", ErrorCategory.InvalidData)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel .", "KernelInvalid", ErrorCategory.InvalidData)]
    [InlineData("New-LguestVm -MemoryMB 0 -Kernel ./vmlinuz", "MemoryTooSmall", ErrorCategory.InvalidArgument)]
    [InlineData("New-LguestVm -MemoryMB -5 -Kernel ./vmlinuz", "MemoryTooSmall", ErrorCategory.InvalidArgument)]
    [InlineData("New-LguestVm -MemoryMB 4194305 -Kernel ./vmlinuz", "MemoryTooLarge", ErrorCategory.InvalidArgument)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz -Initrd ./nope", "InitrdNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz -ChrootPath ./nope", "InvalidArgument", ErrorCategory.InvalidArgument)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz -Cpus 0", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz -Name 'a b'", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
    [InlineData("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz -OnReboot Sometimes", "ParameterArgumentTransformationError", ErrorCategory.InvalidData)]
    public void NewLguestVmRefusesWhatCannotWork(string script, string errorId, ErrorCategory category)
    {
        var r = Run(script);
        AssertError(r, errorId, category);
        Assert.Empty(r.Output);
        Assert.Empty(Run("Get-LguestVm").Output);
    }

    [Fact]
    public void AnInitrdLargerThanMemoryIsRefused()
    {
        File.WriteAllBytes(Path.Combine(_ps.WorkDir, "big.img"), new byte[(1 << 20) + 1]);
        AssertError(Run("New-LguestVm -MemoryMB 1 -Kernel ./vmlinuz -Initrd ./big.img"), "InitrdTooLarge", ErrorCategory.LimitsExceeded);
    }

    [Theory]
    [InlineData("Add-LguestBlockDevice -Path ./nope.img", "BlockDeviceNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("Add-LguestBlockDevice -Path ./odd.img", "BlockDeviceInvalid", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestBlockDevice -Path .", "BlockDeviceInvalid", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestBlockDevice -Path ./disk.img | Add-LguestBlockDevice -Path ./disk.img -ReadOnly", "DeviceAlreadyAttached", ErrorCategory.ResourceExists)]
    [InlineData("Add-LguestRng | Add-LguestRng", "DeviceAlreadyAttached", ErrorCategory.ResourceExists)]
    [InlineData("Add-LguestTapNetwork -IPAddress fe80::1", "TapAddressInvalid", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestTapNetwork -Bridge lgpsnobridge0", "BridgeNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("Add-LguestTapNetwork -IPAddress 169.254.1.1 -MacAddress 52:54:00", "ParameterArgumentTransformationError", ErrorCategory.InvalidData)]
    [InlineData("Add-LguestTapNetwork -IPAddress 169.254.1.1 -Bridge br0", "InvalidArgument", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestTapNetwork -MacAddress 52:54:00:00:00:01", "InvalidArgument", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestTapNetwork -IPAddress 169.254.1.0", "TapAddressInvalid", ErrorCategory.InvalidArgument)]
    [InlineData("Add-LguestTapNetwork -IPAddress 169.254.1.255", "TapAddressInvalid", ErrorCategory.InvalidArgument)]
    public void AddCmdletsRefuseWhatCannotWork(string add, string errorId, ErrorCategory category)
    {
        var r = Run("New-LguestVm -Name target -MemoryMB 64 -Kernel ./vmlinuz | " + add);
        AssertError(r, errorId, category);
    }

    [Fact]
    public void AddCmdletsFindVmsByName()
    {
        Run("New-LguestVm -Name n1 -MemoryMB 64 -Kernel ./vmlinuz; New-LguestVm -Name n2 -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        var vms = Run("Add-LguestRng -VMName n*").Objects<LguestVm>().ToList();
        Assert.Equal(new[] { "n1", "n2" }, vms.Select(v => v.Name));
        Assert.All(vms, v => Assert.IsType<LguestRng>(Assert.Single(v.Devices)));
        AssertError(Run("Add-LguestRng -VMName nothere"), "VmNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void WhatIfChangesNothingButPassesTheVmOn()
    {
        var r = Run("New-LguestVm -Name dry -MemoryMB 64 -Kernel ./vmlinuz -WhatIf");
        Assert.Empty(r.Output);
        Assert.Empty(Run("Get-LguestVm").Output);

        var vm = Run("New-LguestVm -Name wet -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestRng -WhatIf | Add-LguestBlockDevice -Path ./disk.img -WhatIf").Single<LguestVm>();
        Assert.Empty(vm.Devices);

        // Start-LguestVm -WhatIf starts nothing: no job, no process, the VM stays Off.
        var started = Run("$vm | Start-LguestVm -WhatIf", ("vm", vm));
        started.AssertNoErrors();
        Assert.Empty(started.Output);
        Assert.Empty(Run("Get-Job").Output);
        Assert.Equal(LguestVmState.Off, vm.State);
        Assert.Null(LguestPS.Session.VmRun.Of(vm));

        Run("Remove-LguestVm -Name wet -WhatIf").AssertNoErrors();
        Assert.Single(Run("Get-LguestVm").Output);
    }

    [Fact]
    public void WhatIfSaysWhatWouldHappen()
    {
        string text = _ps.Render("New-LguestVm -Name said -MemoryMB 64 -Kernel ./vmlinuz -WhatIf");
        Assert.Contains("What if: Performing the operation \"Create VM (64 MiB, 1 vCPU(s), kernel", text);
        Assert.Contains("on target \"said\"", text);
    }

    [Fact]
    public void GetLguestVmFindsByNameAndWildcard()
    {
        Run("New-LguestVm -Name web1 -MemoryMB 64 -Kernel ./vmlinuz; New-LguestVm -Name web2 -MemoryMB 64 -Kernel ./vmlinuz; New-LguestVm -Name db -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        Assert.Equal(new[] { "web1", "web2", "db" }, Run("Get-LguestVm").Objects<LguestVm>().Select(v => v.Name));
        Assert.Equal(new[] { "web1", "web2" }, Run("Get-LguestVm -Name web*").Objects<LguestVm>().Select(v => v.Name));
        Assert.Equal(new[] { "db" }, Run("'DB' | Get-LguestVm").Objects<LguestVm>().Select(v => v.Name));
        Assert.Empty(Run("Get-LguestVm -Name zz*").Errors);
        var missing = Run("Get-LguestVm -Name db, nothere");
        Assert.Single(missing.Objects<LguestVm>());
        AssertError(missing, "VmNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void RemoveLguestVmForgetsTheVm()
    {
        var vm = Run("New-LguestVm -Name gone -MemoryMB 64 -Kernel ./vmlinuz").Single<LguestVm>();
        Assert.Same(vm, Run("Remove-LguestVm -Name gone -PassThru").Single<LguestVm>());
        Assert.Empty(Run("Get-LguestVm").Output);
        AssertError(Run("$vm | Start-LguestVm", ("vm", vm)), "VmRemoved", ErrorCategory.InvalidOperation);
        AssertError(Run("Remove-LguestVm -Name gone"), "VmNotFound", ErrorCategory.ObjectNotFound);
        Run("New-LguestVm -Name gone -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors(); // the name is free again
    }

    [Fact]
    public void AVmThatNeverRanHasNoConsole()
    {
        Run("New-LguestVm -Name idle -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        AssertError(Run("Send-LguestVmConsole -VMName idle -Text hi"), "VmNotRunning", ErrorCategory.InvalidOperation);
        AssertError(Run("Wait-LguestVm -Name idle -Pattern x -Timeout 1"), "VmNotRunning", ErrorCategory.InvalidOperation);
        // Waiting for a VM that is not running to end returns at once.
        Assert.Single(Run("Wait-LguestVm -Name idle -PassThru").Objects<LguestVm>());
        Run("Stop-LguestVm -Name idle").AssertNoErrors();
        AssertError(Run("Wait-LguestVm -Name idle -Pattern '(' "), "PatternInvalid", ErrorCategory.InvalidArgument);
    }

    [Fact]
    public void StartingWithoutAnEngineSaysWhereItLooked()
    {
        string? previous = Environment.GetEnvironmentVariable("LGUESTPS_ENGINE");
        Environment.SetEnvironmentVariable("LGUESTPS_ENGINE", "/nonexistent/lguest");
        try
        {
            var r = Run("New-LguestVm -Name noengine -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm");
            AssertError(r, "EngineNotFound", ErrorCategory.ObjectNotFound);
            Assert.Contains("LGUESTPS_ENGINE", r.Errors[^1].Exception.Message);
            Assert.Empty(Run("Get-Job").Output);
            Assert.Equal(LguestVmState.Off, Run("Get-LguestVm noengine").Single<LguestVm>().State);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LGUESTPS_ENGINE", previous);
        }
    }
}
