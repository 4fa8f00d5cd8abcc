#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The user-level scenarios of tests/LguestPS.Module.Tests as Pester 5 specs,
    for machines with pwsh and Pester:
        ./build.ps1 -Task Build, Docs, Test        # or: Invoke-Pester ./tests/pester
    They import the assembled module folder (out/LguestPS) and boot the
    project's test guest (tests/guest/build) wherever /dev/kvm exists.
#>

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '..' '..')
    $manifest = Join-Path $root 'out' 'LguestPS' 'LguestPS.psd1'
    if (-not (Test-Path $manifest)) { throw "The module is not built: run ./build.ps1 -Task Build, Docs first ($manifest)." }
    Import-Module $manifest -Force
    $script:guest = Join-Path $root 'tests' 'guest' 'build' 'guest.bzImage'
    $script:guestElf = Join-Path $root 'tests' 'guest' 'build' 'guest.elf'
    $script:hasKvm = Test-Path /dev/kvm
    $script:scratch = Join-Path ([IO.Path]::GetTempPath()) "lguestps-pester-$PID"
    New-Item -ItemType Directory -Path $scratch -Force | Out-Null
    $script:disk = Join-Path $scratch 'disk.img'
    [IO.File]::WriteAllBytes($disk, [byte[]]::new(1MB))

    function script:Assert-Kvm {
        if (-not $hasKvm) { Set-ItResult -Skipped -Because '/dev/kvm is absent on this host, so no VM can run here' }
        return $hasKvm
    }
}

AfterEach {
    Get-LguestVm | Remove-LguestVm -Force -Confirm:$false
    Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Remove-Job -Force
}

AfterAll {
    Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
}

Describe 'The module' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest (Join-Path $root 'out' 'LguestPS' 'LguestPS.psd1')
        $info.CompatiblePSEditions | Should -Be 'Core'
        $info.Description | Should -Not -BeNullOrEmpty
    }

    It 'exports the ten cmdlets' {
        (Get-Command -Module LguestPS).Name | Sort-Object | Should -Be @(
            'Add-LguestBlockDevice', 'Add-LguestRng', 'Add-LguestTapNetwork', 'Get-LguestVm', 'New-LguestVm',
            'Remove-LguestVm', 'Send-LguestVmConsole', 'Start-LguestVm', 'Stop-LguestVm', 'Wait-LguestVm')
    }

    It 'has help for <_>' -ForEach @(
        'Add-LguestBlockDevice', 'Add-LguestRng', 'Add-LguestTapNetwork', 'Get-LguestVm', 'New-LguestVm',
        'Remove-LguestVm', 'Send-LguestVmConsole', 'Start-LguestVm', 'Stop-LguestVm', 'Wait-LguestVm') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Examples.Example.Count | Should -BeGreaterThan 0
        foreach ($p in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters }) {
            ($help.Parameters.Parameter | Where-Object Name -eq $p).Description | Should -Not -BeNullOrEmpty -Because "-$p is documented"
        }
    }
}

Describe 'Describing a VM' {
    It 'builds it through the pipeline' {
        $vm = New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestRng | Add-LguestBlockDevice -Path $disk -ReadOnly
        $vm.State | Should -Be 'Off'
        $vm.Devices.Kind | Should -Be @('Rng', 'Block')
        $vm.Devices[1].ReadOnly | Should -BeTrue
        (Get-LguestVm).Name | Should -Be $vm.Name
    }

    It 'starts nothing under -WhatIf' {
        New-LguestVm -Name dry -MemoryMB 64 -Kernel $guest | Start-LguestVm -WhatIf | Should -BeNullOrEmpty
        Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
        (Get-LguestVm dry).State | Should -Be 'Off'
    }

    It 'refuses <Name> with <ErrorId>' -ForEach @(
        @{ Name = 'a missing kernel'; Script = { New-LguestVm -MemoryMB 64 -Kernel ./no/such/kernel }; ErrorId = 'KernelNotFound'; Category = 'ObjectNotFound' }
        @{ Name = 'no memory'; Script = { New-LguestVm -MemoryMB 0 -Kernel $guest }; ErrorId = 'MemoryTooSmall'; Category = 'InvalidArgument' }
        @{ Name = 'too much memory'; Script = { New-LguestVm -MemoryMB 4194305 -Kernel $guest }; ErrorId = 'MemoryTooLarge'; Category = 'InvalidArgument' }
        @{ Name = 'a missing disk'; Script = { New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestBlockDevice -Path ./no/such.img }; ErrorId = 'BlockDeviceNotFound'; Category = 'ObjectNotFound' }
        @{ Name = 'a second rng'; Script = { New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestRng | Add-LguestRng }; ErrorId = 'DeviceAlreadyAttached'; Category = 'ResourceExists' }
        @{ Name = 'an unknown VM'; Script = { Get-LguestVm -Name nosuchvm }; ErrorId = 'VmNotFound'; Category = 'ObjectNotFound' }
    ) {
        $err = $null
        try { & $Script -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err.CategoryInfo.Category | Should -Be $Category
    }
}

Describe 'Running the test guest' {
    It 'boots through the client''s pipeline as a job whose output is the console' {
        if (-not (Assert-Kvm)) { return }
        $job = New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestRng | Start-LguestVm
        $job.PSJobTypeName | Should -Be 'LguestVmJob'
        (Wait-LguestVm -VM $job.VM -Pattern '^TESTS DONE' -Timeout 120).Text | Should -Match 'failed=0$'
        $lines = Receive-Job $job
        $lines[0] | Should -BeOfType LguestPS.LguestConsoleLine
        $lines | Where-Object { $_ -match '^TEST \S+: FAIL' } | Should -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^TEST virtio-rng: ok' } | Should -Not -BeNullOrEmpty
        $enginePid = $job.VM.ProcessId
        Stop-Job $job
        $job.State | Should -Be 'Stopped'
        Get-Process -Id $enginePid -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'completes the job when the guest reboots under -OnReboot Exit (<_>)' -ForEach @('bzImage', 'elf') {
        if (-not (Assert-Kvm)) { return }
        $kernel = if ($_ -eq 'elf') { $guestElf } else { $guest }
        $job = New-LguestVm -MemoryMB 64 -Kernel $kernel -OnReboot Exit | Start-LguestVm
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        $job.VM.ExitReason | Should -Be 'reboot'
        Receive-Job $job | Where-Object Text -match '^TESTS DONE' | Should -Match 'failed=0'
    }

    It 'streams the console with -Wait' {
        if (-not (Assert-Kvm)) { return }
        $lines = New-LguestVm -MemoryMB 64 -Kernel $guest -OnReboot Exit | Start-LguestVm -Wait
        $lines.Text | Where-Object { $_ -like 'TESTS DONE*' } | Should -Match 'failed=0$'
        $lines | Where-Object IsPartial | Should -BeNullOrEmpty
        Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
    }

    It 'echoes what Send-LguestVmConsole types' {
        if (-not (Assert-Kvm)) { return }
        New-LguestVm -Name echo -MemoryMB 64 -Kernel $guest -KernelArguments 'tests=serial' -OnReboot Exit | Start-LguestVm | Out-Null
        Wait-LguestVm -Name echo -Pattern '^READY serial' -Timeout 120 | Out-Null
        Send-LguestVmConsole -VMName echo -Text 'hello from Pester'
        (Wait-LguestVm -Name echo -Pattern '^ECHO ' -Timeout 60).Text | Should -Be 'ECHO hello from Pester'
    }

    It 'fails the job with a stable errorId when the guest triple-faults' {
        if (-not (Assert-Kvm)) { return }
        $job = New-LguestVm -MemoryMB 64 -Kernel $guest -KernelArguments 'tests=crash-triple' -OnReboot Exit | Start-LguestVm
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Failed'
        $job.JobStateInfo.Reason.ErrorId | Should -Be 'GuestTripleFault'
        Receive-Job $job -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].FullyQualifiedErrorId | Should -Be 'GuestTripleFault'
        $errs[0].CategoryInfo.Category | Should -Be 'OperationStopped'
    }

    It 'leaves no engine behind after Stop-LguestVm' {
        if (-not (Assert-Kvm)) { return }
        New-LguestVm -Name stopme -MemoryMB 64 -Kernel $guest | Start-LguestVm | Out-Null
        Wait-LguestVm -Name stopme -Pattern '^TESTS DONE' -Timeout 120 | Out-Null
        $enginePid = (Get-LguestVm stopme).ProcessId
        Stop-LguestVm -Name stopme
        (Get-LguestVm stopme).State | Should -Be 'Off'
        Get-Process -Id $enginePid -ErrorAction Ignore | Should -BeNullOrEmpty
    }
}
