#Requires -Version 7.2
# Running the test guest through the cmdlets: jobs, console records, waits, typing, stopping, failures.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
}

AfterAll {
    Remove-LguestState
}

Describe 'A running guest' {
    # One guest for every spec here: with tests=serial the test guest checks its serial port, prints
    # READY serial and then echoes each line it is sent, until it is stopped.
    BeforeAll {
        if ($hasKvm) {
            $job = New-LguestVm -Name shared -MemoryMB 64 -Kernel $guest -KernelArguments 'tests=serial' | Add-LguestRng | Start-LguestVm
            $ready = Wait-LguestVm -Name shared -Pattern '^READY serial' -Timeout 120
        }
    }

    AfterAll {
        Remove-LguestState
    }

    It 'is a job of type LguestVmJob that is Running' {
        Skip-WithoutKvm
        $job | Should -BeOfType LguestPS.LguestVmJob
        $job.PSJobTypeName | Should -Be 'LguestVmJob'
        $job.State | Should -Be 'Running'
        Get-Job -Id $job.Id | Should -Be $job
    }

    It 'is listed by Get-LguestVm as Running in a live engine process, with its devices' {
        Skip-WithoutKvm
        $vm = Get-LguestVm -Name shared
        $vm.State | Should -Be 'Running'
        $vm.MemoryMB | Should -Be 64
        $vm.Devices.Kind | Should -Be 'Rng'
        $vm.Uptime | Should -BeGreaterThan ([TimeSpan]::Zero)
        Test-ProcessAlive $vm.ProcessId | Should -BeTrue
    }

    It 'renders in the module''s table view' {
        Skip-WithoutKvm
        $text = Get-LguestVm -Name shared | Out-String -Width 160
        $text | Should -Match 'Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices'
        $text | Should -Match "shared\s+Running\s+64\s+1\s+$((Get-LguestVm shared).ProcessId)"
    }

    It 'returns the console line Wait-LguestVm waited for, as a record' {
        Skip-WithoutKvm
        $ready | Should -BeOfType LguestPS.LguestConsoleLine
        $ready.Text | Should -Be 'READY serial'
        $ready.VmName | Should -Be 'shared'
        $ready.IsPartial | Should -BeFalse
    }

    It 'echoes what Send-LguestVmConsole types' {
        Skip-WithoutKvm
        Send-LguestVmConsole -VMName shared -Text 'hello from Pester'
        (Wait-LguestVm -Name shared -Pattern '^ECHO ' -Timeout 60).Text | Should -Be 'ECHO hello from Pester'
    }

    It 'gives its console to Receive-Job as numbered records that compare as their text' {
        Skip-WithoutKvm
        $lines = @(Receive-Job $job)
        $lines | Should -Not -BeNullOrEmpty
        $lines | ForEach-Object { $_ | Should -BeOfType LguestPS.LguestConsoleLine }
        $numbers = $lines.LineNumber
        $numbers | Should -Be ($numbers | Sort-Object) -Because 'lines arrive in console order'
        # A line the guest was slow to end also came early as a partial preview (same LineNumber); whole, it comes once.
        $lines | Where-Object { -not $_.IsPartial -and $_ -match '^READY serial$' } | Should -HaveCount 1
        ($lines | Where-Object { $_ -match '^ECHO hello from Pester$' }).ToString() | Should -Be 'ECHO hello from Pester'
        Receive-Job $job | Where-Object { $_ -match '^READY' } | Should -BeNullOrEmpty -Because 'Receive-Job hands each line out once'
    }

    It 'stops with Stop-Job, leaving no engine behind' {
        Skip-WithoutKvm
        $enginePid = $job.VM.ProcessId
        Stop-Job $job
        $job.State | Should -Be 'Stopped'
        (Get-LguestVm shared).State | Should -Be 'Off'
        Wait-ProcessGone $enginePid | Should -BeTrue
    }
}

Describe 'Guests that end' {
    AfterEach { Remove-LguestState }

    It 'boots through the client''s pipeline as a job whose output is the console' {
        Skip-WithoutKvm
        $job = New-LguestVm -MemoryMB 64 -Kernel $guest | Add-LguestRng | Start-LguestVm
        (Wait-LguestVm -VM $job.VM -Pattern '^TESTS DONE' -Timeout 120).Text | Should -Match 'failed=0$'
        $lines = Receive-Job $job
        $lines | Where-Object { $_ -match '^TEST \S+: FAIL' } | Should -BeNullOrEmpty
        $lines | Where-Object { $_ -match '^TEST virtio-rng: ok' } | Should -Not -BeNullOrEmpty
    }

    It 'completes the job when the guest reboots under -OnReboot Exit (<_>)' -ForEach @('bzImage', 'elf') {
        Skip-WithoutKvm
        $kernel = if ($_ -eq 'elf') { $guestElf } else { $guest }
        $job = New-LguestVm -MemoryMB 64 -Kernel $kernel -OnReboot Exit | Start-LguestVm
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        $job.VM.ExitReason | Should -Be 'reboot'
        $job.VM.State | Should -Be 'Off'
        Receive-Job $job | Where-Object Text -match '^TESTS DONE' | Should -Match 'failed=0'
    }

    It 'streams the console down the pipeline with -Wait, making no job' {
        Skip-WithoutKvm
        $lines = New-LguestVm -MemoryMB 64 -Kernel $guest -OnReboot Exit | Start-LguestVm -Wait
        $lines.Text | Where-Object { $_ -like 'TESTS DONE*' } | Should -Match 'failed=0$'
        $lines | Where-Object IsPartial | Should -BeNullOrEmpty
        Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
    }

    It 'fails the job with a stable errorId when the guest triple-faults' {
        Skip-WithoutKvm
        $job = New-LguestVm -MemoryMB 64 -Kernel $guest -KernelArguments 'tests=crash-triple' -OnReboot Exit | Start-LguestVm
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Failed'
        $job.JobStateInfo.Reason.ErrorRecord.FullyQualifiedErrorId | Should -Be 'GuestTripleFault'
        Receive-Job $job -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs[0].FullyQualifiedErrorId | Should -Be 'GuestTripleFault'
        $errs[0].CategoryInfo.Category | Should -Be 'OperationStopped'
    }

    It 'leaves no engine behind after Stop-LguestVm' {
        Skip-WithoutKvm
        New-LguestVm -Name stopme -MemoryMB 64 -Kernel $guest | Start-LguestVm | Out-Null
        Wait-LguestVm -Name stopme -Pattern '^TESTS DONE' -Timeout 120 | Out-Null
        $enginePid = (Get-LguestVm stopme).ProcessId
        Stop-LguestVm -Name stopme
        (Get-LguestVm stopme).State | Should -Be 'Off'
        Wait-ProcessGone $enginePid | Should -BeTrue
    }

    It 'boots again after Stop-LguestVm: a VM that is Off can be started anew' {
        Skip-WithoutKvm
        $vm = New-LguestVm -Name again -MemoryMB 64 -Kernel $guest -OnReboot Exit
        $vm | Start-LguestVm -Wait | Where-Object Text -like 'TESTS DONE*' | Should -Match 'failed=0$'
        $vm | Start-LguestVm -Wait | Where-Object Text -like 'TESTS DONE*' | Should -Match 'failed=0$'
        $vm.State | Should -Be 'Off'
    }
}
