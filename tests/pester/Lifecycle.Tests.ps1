#Requires -Version 7.2
# A VM's life cycle through the cmdlets: suspend and resume, the graceful stop of a busybox guest with its
# disk data flushed, a guest that powers off, and a guest kernel that panics (issue 11).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')

    # The fixture scripts print KEY=/path lines (built once, cached in ~/.cache/lguestps).
    function Get-Fixture([string] $Script, [string] $Key) {
        $lines = & bash (Join-Path $PSScriptRoot '..' 'fixtures' $Script)
        if ($LASTEXITCODE -ne 0) { throw "$Script failed" }
        ($lines | Where-Object { $_ -like "$Key=*" } | Select-Object -Last 1).Substring($Key.Length + 1)
    }
    if ($hasKvm) {
        $script:vmlinux = Get-Fixture 'minimal-kernel/build.sh' 'VMLINUX'
        $script:busybox = Get-Fixture 'busybox/initramfs.sh' 'INITRAMFS_BUSYBOX'
    }
    $script:linuxArgs = 'console=ttyS0 rodata=off'
}

AfterAll {
    Remove-LguestState
}

Describe 'Suspend-LguestVm and Resume-LguestVm' {
    # The test guest with tests=serial echoes every line it is sent: what it echoes shows whether it runs.
    BeforeAll {
        if ($hasKvm) {
            $script:job = New-LguestVm -Name pr -MemoryMB 64 -Kernel $guest -KernelArguments 'tests=serial' | Start-LguestVm
            Wait-LguestVm -Name pr -Pattern '^READY serial' -Timeout 120 | Out-Null
        }
    }
    AfterAll { Remove-LguestState }

    It 'freezes the guest: state Paused, and nothing it would print arrives' {
        Skip-WithoutKvm
        $sw = [Diagnostics.Stopwatch]::StartNew()
        (Suspend-LguestVm -Name pr -PassThru).State | Should -Be 'Paused'
        Write-Host "Suspend-LguestVm of the test guest: $([math]::Round($sw.Elapsed.TotalMilliseconds, 1)) ms"
        (Get-LguestVm pr).State | Should -Be 'Paused'
        Send-LguestVmConsole -Name pr 'typed-while-paused'
        # Bounded: a running guest echoes within milliseconds; this one must not, because it is frozen.
        { Wait-LguestVm -Name pr -Pattern 'typed-while-paused' -Timeout 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'WaitTimeout*'
        $job.State | Should -Be 'Running' -Because 'a paused VM is still a running job'
        Suspend-LguestVm -Name pr   # a second suspend is no error
    }

    It 'runs it again where it stopped, and what was typed arrives' {
        Skip-WithoutKvm
        $sw = [Diagnostics.Stopwatch]::StartNew()
        (Resume-LguestVm -Name pr -PassThru).State | Should -Be 'Running'
        Write-Host "Resume-LguestVm of the test guest: $([math]::Round($sw.Elapsed.TotalMilliseconds, 1)) ms"
        (Wait-LguestVm -Name pr -Pattern 'typed-while-paused' -Timeout 60).Text | Should -Match 'typed-while-paused'
    }

    It 'stops a guest that takes no shutdown request at once, with a warning that says so' {
        Skip-WithoutKvm
        Suspend-LguestVm -Name pr
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Stop-LguestVm -Name pr -Timeout 600 -WarningVariable warned -WarningAction SilentlyContinue
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'the test guest listens to neither request, so nothing is waited for'
        "$warned" | Should -Match 'takes no shutdown request.*turning it off'
        (Get-LguestVm pr).State | Should -Be 'Off'
        $job.State | Should -Be 'Stopped'
    }

    It 'refuses a VM that is not running' {
        New-LguestVm -Name idle -MemoryMB 64 -Kernel $guest | Out-Null
        { Suspend-LguestVm -Name idle -ErrorAction Stop } | Should -Throw -ErrorId 'VmNotRunning*'
        { Resume-LguestVm -Name idle -ErrorAction Stop } | Should -Throw -ErrorId 'VmNotRunning*'
    }
}

Describe 'Stop-LguestVm on a busybox guest' {
    It 'presses the power button: the guest syncs, unmounts and powers off, and its disk holds what it wrote' {
        Skip-WithoutKvm
        $dir = New-ScratchDirectory
        $disk = Join-Path $dir 'disk.img'
        & mke2fs -q -F -t ext4 $disk 8M
        $job = New-LguestVm -Name bb -MemoryMB 128 -Kernel $vmlinux -Initrd $busybox -KernelArguments "$linuxArgs panic=-1 reboot=k" |
            Add-LguestBlockDevice -Path $disk | Start-LguestVm
        # Written without sync: only a clean shutdown puts it on the disk. The first command waits for the shell
        # (what is typed at the console before its first prompt can be lost).
        Invoke-LguestVmCommand -VMName bb -Timeout 600 -ErrorAction Stop -Command 'mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo from-the-guest >/mnt/f.txt' |
            Out-Null
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Stop-LguestVm -Name bb -WarningVariable warned
        Write-Host "Stop-LguestVm of the busybox guest: $([math]::Round($sw.Elapsed.TotalSeconds, 2)) s"
        $warned | Should -BeNullOrEmpty
        $vm = Get-LguestVm bb
        $vm.State | Should -Be 'Off'
        $vm.ExitReason | Should -Be 'poweroff'
        $job.State | Should -Be 'Completed'
        # Written to /dev/console (the UART) while the shell's prompt sits on hvc0: the engine's console carries both,
        # so the line may follow the prompt on the same line.
        ($job | Receive-Job).Text -match 'lguestps: syncing disks before poweroff' | Should -Not -BeNullOrEmpty
        & debugfs -R 'cat /f.txt' $disk 2>$null | Should -Be 'from-the-guest'
        & e2fsck -fn $disk *> $null
        $LASTEXITCODE | Should -Be 0 -Because 'the guest unmounted the disk before it powered off'
    }
}

Describe 'The end of a Linux guest' {
    It 'is Completed with ExitReason poweroff when the guest powers off' {
        Skip-WithoutKvm
        $initrd = Get-Fixture 'minimal-kernel/initramfs.sh' 'INITRAMFS_MINIMAL'
        $job = New-LguestVm -Name po -MemoryMB 128 -Kernel $vmlinux -Initrd $initrd -KernelArguments "$linuxArgs poweroff" | Start-LguestVm
        Wait-LguestVm -Name po -Timeout 600
        $job.State | Should -Be 'Completed'
        (Get-LguestVm po).ExitReason | Should -Be 'poweroff'
    }

    It 'is Failed with GuestPanicked and the panic line when the kernel panics, even with no panic= option' {
        Skip-WithoutKvm
        # No root and no panic=: without pvpanic this kernel would hang for ever after its panic.
        $job = New-LguestVm -Name np -MemoryMB 128 -Kernel $vmlinux -KernelArguments $linuxArgs | Start-LguestVm
        Wait-LguestVm -Name np -Timeout 600 -ErrorAction SilentlyContinue
        $job.State | Should -Be 'Failed'
        (Get-LguestVm np).ExitReason | Should -Be 'panic'
        $job.Error[0].FullyQualifiedErrorId | Should -BeLike 'GuestPanicked*'
        "$($job.Error[0])" | Should -Match 'Kernel panic - not syncing'
    }
}
