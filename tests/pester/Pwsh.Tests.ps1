#Requires -Version 7.2
# The module in PowerShells of their own, as users start them: what they print, and what they leave behind when they end.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
}

Describe 'pwsh with the module' {
    It 'prints VMs through the module''s table view and errors the pwsh way, exiting 1' {
        $run = Invoke-ModulePwsh "New-LguestVm -Name shown -MemoryMB 64 -Kernel '$guest'; New-LguestVm -MemoryMB 64 -Kernel ./no/such/kernel"
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match 'Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices'
        $run.Output | Should -Match 'shown\s+Off\s+64\s+1'
        $run.Output | Should -Match "New-LguestVm: The kernel '.*no/such/kernel'"
    }

    It 'stops its VMs when it exits: no engine outlives it' {
        Skip-WithoutKvm
        $run = Invoke-ModulePwsh ("New-LguestVm -Name left -MemoryMB 64 -Kernel '$guest' -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null; " +
            "Wait-LguestVm -Name left -Pattern '^READY serial' -Timeout 60 | Out-Null; 'engine ' + (Get-LguestVm left).ProcessId")
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'engine (\d+)'
        $enginePid = [int]($run.Output | Select-String 'engine (\d+)').Matches[0].Groups[1].Value
        Wait-ProcessGone $enginePid | Should -BeTrue -Because "engine $enginePid must not outlive the pwsh that started it"
    }

    It 'leaves no engine behind even when killed outright (SIGKILL)' {
        Skip-WithoutKvm
        $started = Start-Logged -Command @($pwsh, '-NoProfile', '-NonInteractive', '-Command', ("Import-Module '$manifest'; " +
            "New-LguestVm -Name orphan -MemoryMB 64 -Kernel '$guest' -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null; " +
            "Wait-LguestVm -Name orphan -Pattern '^READY serial' -Timeout 60 | Out-Null; 'engine ' + (Get-LguestVm orphan).ProcessId; " +
            # Holds the VM until killed: no such event ever comes.
            "Wait-Event -SourceIdentifier LguestPS.Pester.Never"))
        try {
            # Waits on the condition (the line in the log), bounded by a deadline.
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not ((Get-Content -Raw $started.Log) -match 'engine (\d+)') -and -not $started.Process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            $Matches | Should -Not -BeNullOrEmpty -Because "pwsh printed its engine's pid: $(Get-Content -Raw $started.Log)"
            $enginePid = [int]$Matches[1]
            Test-ProcessAlive $enginePid | Should -BeTrue
            $started.Process.Kill()   # SIGKILL: no exit handler, no runspace closing; nothing of the module's runs
        }
        finally {
            $started | Wait-Logged -TimeoutSeconds 30 | Out-Null
        }
        Wait-ProcessGone $enginePid | Should -BeTrue -Because "engine $enginePid must not outlive a killed pwsh"
    }

    It 'gives the guest a network to the host with Add-LguestTapNetwork (in a network namespace of its own)' {
        Skip-WithoutKvm
        if ([Environment]::UserName -ne 'root') { Set-ItResult -Skipped -Because 'creating a network namespace and a tap needs root' }
        # unshare --net: the whole pwsh, its tap and every packet stay in a namespace that vanishes with it.
        $run = Invoke-ModulePwsh -Prefix @('unshare', '--net', '--') -Script (
            "New-LguestVm -MemoryMB 64 -Kernel '$guest' -OnReboot Exit " +
            "-KernelArguments 'tests=virtio-net guest.ip=169.254.77.2 guest.hostip=169.254.77.1' | " +
            "Add-LguestTapNetwork -IPAddress 169.254.77.1 -MacAddress 02:00:00:00:4c:07 | Start-LguestVm -Wait")
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'NET mac 02:00:00:00:4c:07'
        $run.Output | Should -Match 'NET host 169\.254\.77\.1 is'
        $run.Output | Should -Match 'TEST virtio-net: ok'
    }
}
