#Requires -Version 7.2
# Describing VMs: what New-LguestVm and the Add-* cmdlets build, and what they refuse. Nothing boots here.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $scratch = New-ScratchDirectory
    $disk = Join-Path $scratch 'disk.img'
    New-SparseFile $disk 1MB
}

AfterAll {
    Remove-LguestState
    Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
}

Describe 'Describing a VM' {
    AfterEach { Remove-LguestState }

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

    It 'refuses <Name> with <ErrorId>, an error -ErrorAction governs' -ForEach @(
        @{ Name = 'a missing kernel'; Script = { New-LguestVm -Name nokernel -MemoryMB 64 -Kernel ./no/such/kernel }; ErrorId = 'KernelNotFound'; Category = 'ObjectNotFound' }
        @{ Name = 'no memory'; Script = { New-LguestVm -Name nomemory -MemoryMB 0 -Kernel $guest }; ErrorId = 'MemoryTooSmall'; Category = 'InvalidArgument' }
        @{ Name = 'too much memory'; Script = { New-LguestVm -Name toomuch -MemoryMB 4194305 -Kernel $guest }; ErrorId = 'MemoryTooLarge'; Category = 'InvalidArgument' }
        @{ Name = 'a missing disk'; Script = { New-LguestVm -Name nodisk -MemoryMB 64 -Kernel $guest | Add-LguestBlockDevice -Path ./no/such.img }; ErrorId = 'BlockDeviceNotFound'; Category = 'ObjectNotFound' }
        @{ Name = 'a second rng'; Script = { New-LguestVm -Name tworngs -MemoryMB 64 -Kernel $guest | Add-LguestRng | Add-LguestRng }; ErrorId = 'DeviceAlreadyAttached'; Category = 'ResourceExists' }
        @{ Name = 'an unknown VM'; Script = { Get-LguestVm -Name nosuchvm }; ErrorId = 'VmNotFound'; Category = 'ObjectNotFound' }
    ) {
        # A plain script block ignores -ErrorAction (it has no common parameters); made advanced, as a
        # user's script or function is, it honours them.
        $advanced = [scriptblock]::Create("[CmdletBinding()] param() $Script; 'went on'")

        # -ErrorAction Stop: the first error ends the script, as a catchable exception.
        $caught = $null
        $output = try { & $advanced -ErrorAction Stop } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because '-ErrorAction Stop turns the error into an exception'
        $output | Should -Not -Contain 'went on'
        $caught.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $caught.CategoryInfo.Category | Should -Be $Category
        $caught.Exception.Message | Should -Not -BeNullOrEmpty

        # By default the error is not terminating: it is recorded and the script goes on.
        Remove-LguestState   # what the first run described before it failed
        $errs = $null
        & $advanced -ErrorAction SilentlyContinue -ErrorVariable errs | Select-Object -Last 1 | Should -Be 'went on'
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
    }

    It 'adds no VM to the session when New-LguestVm refuses one' {
        New-LguestVm -Name refused -MemoryMB 0 -Kernel $guest -ErrorAction SilentlyContinue
        Get-LguestVm -Name refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
