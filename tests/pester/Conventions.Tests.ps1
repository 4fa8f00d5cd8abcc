#Requires -Version 7.2
<#
    The conventions a Hyper-V user expects (issue 10), each as a user at the
    prompt meets it: tables through Import-Csv, -VMName, Tab, MAC addresses
    as Hyper-V writes them, start failures that stop a script, jobs that
    Receive-Job -AutoRemoveJob removes, Start-LguestVm -Wait with a timeout
    and several VMs, two VMs in two subnets, objects that crossed a
    serialization boundary, console text without terminal controls, and
    the help's links and about topic.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $scratch = New-ScratchDirectory
    Copy-Item $guest (Join-Path $scratch 'vmlinuz')
    [IO.File]::WriteAllBytes((Join-Path $scratch 'initrd.img'), [byte[]]::new(4096))
    New-SparseFile (Join-Path $scratch 'disk.img') 1MB
    New-SparseFile (Join-Path $scratch 'data.img') 1MB
    Push-Location $scratch

    function Invoke-Advanced([scriptblock] $Script, [string] $ErrorAction = 'Stop') {
        # A plain script block has no -ErrorAction; made advanced, as a user's script is, it honours one.
        $advanced = [scriptblock]::Create("[CmdletBinding()] param() $Script; 'went on'")
        $caught = $null
        $errs = $null
        $output = try { & $advanced -ErrorAction $ErrorAction -ErrorVariable errs } catch { $caught = $_ }
        [pscustomobject]@{ Output = $output; Error = $caught ?? $errs[-1] }
    }
}

AfterAll {
    Pop-Location
    Remove-LguestState
    Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
}

Describe 'A table builds VMs and their devices (Import-Csv)' {
    AfterEach { Remove-LguestState }

    It 'builds exactly the VMs of the table, an empty cell leaving the default' {
        Set-Content vms.csv @(
            'Name,MemoryMB,Cpus,Kernel,Initrd,KernelArguments,OnReboot'
            'web-1,128,2,./vmlinuz,./initrd.img,console=hvc0 quiet,Exit'
            'db-1,96,,./vmlinuz,,,'
        )
        $vms = Import-Csv vms.csv | New-LguestVm
        $vms.Name | Should -Be @('web-1', 'db-1')
        $vms[0].MemoryMB | Should -Be 128
        $vms[0].Cpus | Should -Be 2
        $vms[0].Kernel | Should -Be (Join-Path $scratch 'vmlinuz')
        $vms[0].Initrd | Should -Be (Join-Path $scratch 'initrd.img')
        $vms[0].KernelArguments | Should -Be 'console=hvc0 quiet'
        $vms[0].OnReboot | Should -Be 'Exit'
        $vms[1].MemoryMB | Should -Be 96
        $vms[1].Cpus | Should -Be 1
        $vms[1].Initrd | Should -BeNullOrEmpty
        $vms[1].KernelArguments | Should -Be ''
        $vms[1].OnReboot | Should -Be 'Restart'
    }

    It 'adds each row''s device to the VM the row names' {
        'web-1', 'db-1' | ForEach-Object { New-LguestVm -Name $_ -MemoryMB 64 -Kernel ./vmlinuz } | Out-Null
        Set-Content disks.csv 'VMName,Path,ReadOnly', 'web-1,./disk.img,True', 'db-1,./data.img,False'
        Set-Content nics.csv 'VMName,IPAddress,PrefixLength,MacAddress', 'web-1,169.254.1.1,,00-15-5D-01-02-03', 'db-1,169.254.2.1,28,'
        Import-Csv disks.csv | Add-LguestBlockDevice | Out-Null
        Import-Csv nics.csv | Add-LguestTapNetwork | Out-Null
        $web, $db = Get-LguestVm web-1, db-1
        $web.Devices.Kind | Should -Be @('Block', 'TapNetwork')
        $web.Devices[0].Path | Should -Be (Join-Path $scratch 'disk.img')
        $web.Devices[0].ReadOnly | Should -BeTrue
        $web.Devices[1].IPAddress | Should -Be '169.254.1.1'
        $web.Devices[1].PrefixLength | Should -Be 24
        $web.Devices[1].MacAddress | Should -Be '00:15:5d:01:02:03'
        $db.Devices[0].ReadOnly | Should -BeFalse
        $db.Devices[1].PrefixLength | Should -Be 28
        $db.Devices[1].MacAddress | Should -BeNullOrEmpty
    }

    It 'says which cell is wrong and what it should hold' {
        Set-Content bad.csv 'Name,MemoryMB,Kernel', 'web-1,lots,./vmlinuz'
        $r = Invoke-Advanced { Import-Csv bad.csv | New-LguestVm }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        $r.Error.Exception.Message | Should -Match "MemoryMB.*'lots' is not a whole number"
    }
}

Describe '-VMName, as in Hyper-V' {
    BeforeAll { New-LguestVm -Name hv -MemoryMB 64 -Kernel ./vmlinuz | Out-Null }
    AfterAll { Remove-LguestState }

    It 'names the VM for <Command>' -ForEach @(
        @{ Command = 'Get-LguestVm'; Script = { Get-LguestVm -VMName hv } }
        @{ Command = 'Wait-LguestVm'; Script = { Wait-LguestVm -VMName hv -PassThru } }
        @{ Command = 'Stop-LguestVm'; Script = { Stop-LguestVm -VMName hv -PassThru } }
        @{ Command = 'Start-LguestVm'; Script = { Start-LguestVm -VMName hv -WhatIf; Get-LguestVm hv } }
        @{ Command = 'Add-LguestRng'; Script = { Add-LguestRng -VMName hv -WhatIf } }
        @{ Command = 'Remove-LguestVm'; Script = { Remove-LguestVm -VMName hv -WhatIf; Get-LguestVm hv } }
    ) {
        (& $Script).VMName | Should -Be 'hv'
    }

    It 'is a property of every VM, equal to its Name' {
        $vm = Get-LguestVm hv
        $vm.VMName | Should -Be $vm.Name
        (Get-LguestVm hv | Select-Object VMName).VMName | Should -Be 'hv'
    }
}

Describe 'Tab completes VM names' {
    BeforeAll { 'web-1', 'web-2', 'db-1' | ForEach-Object { New-LguestVm -Name $_ -MemoryMB 64 -Kernel ./vmlinuz } | Out-Null }
    AfterAll { Remove-LguestState }

    It 'completes "<Line>"' -ForEach @(
        @{ Line = 'Start-LguestVm -Name w'; Expected = @('web-1', 'web-2') }
        @{ Line = 'Stop-LguestVm -VMName d'; Expected = @('db-1') }
        @{ Line = 'Get-LguestVm '; Expected = @('db-1', 'web-1', 'web-2') }
        @{ Line = 'Add-LguestBlockDevice -VMName web-'; Expected = @('web-1', 'web-2') }
        @{ Line = 'Send-LguestVmConsole -VMName *2'; Expected = @('web-2') }
    ) {
        $completions = (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
        $completions.CompletionText | Should -Be $Expected
        $completions | ForEach-Object { $_.ToolTip | Should -Match '^\S+: Off, 64 MiB, 1 vCPU\(s\)$' }
    }
}

Describe 'MAC addresses as Hyper-V writes them' {
    AfterEach { Remove-LguestState }

    It 'takes <Typed>' -ForEach @(
        @{ Typed = '00-15-5D-01-02-03' }, @{ Typed = '00155D010203' }, @{ Typed = '00:15:5d:01:02:03' }
    ) {
        $vm = New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestTapNetwork -IPAddress 169.254.3.1 -MacAddress $Typed
        $vm.Devices[0].MacAddress | Should -Be '00:15:5d:01:02:03'
    }

    It 'refuses <Typed>, saying what to type' -ForEach @(
        @{ Typed = '01-00-5E-00-00-01'; Why = 'multicast' }
        @{ Typed = 'FF-FF-FF-FF-FF-FF'; Why = 'broadcast' }
        @{ Typed = '00-15-5D-01-02'; Why = 'is not a MAC address' }
    ) {
        $r = Invoke-Advanced { New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestTapNetwork -IPAddress 169.254.3.1 -MacAddress $Typed }
        $r.Output | Should -Not -Contain 'went on'
        $r.Error.Exception.Message | Should -Match $Why
        $r.Error.Exception.Message | Should -Match '02-15-5D-01-02-03, 02:15:5d:01:02:03 or 02155D010203'
    }

    It 'validates no parameter of the module with a pattern' {
        $patterns = Get-Command -Module LguestPS | ForEach-Object { $_.Parameters.Values } |
            Where-Object { $_.Attributes | Where-Object { $_ -is [ValidatePattern] } }
        $patterns | Should -BeNullOrEmpty
    }
}

Describe 'What the engine refuses at start is an error of Start-LguestVm' {
    AfterEach { Remove-LguestState }

    It 'stops the script at a user that does not exist (-ErrorAction Stop), leaving no job' {
        New-LguestVm -Name nouser -MemoryMB 64 -Kernel ./vmlinuz -UserName lguestps-no-such-user | Out-Null
        $r = Invoke-Advanced { Start-LguestVm -Name nouser }
        $r.Output | Should -Not -Contain 'went on'
        $r.Error.FullyQualifiedErrorId | Should -Be 'InvalidArgument,LguestPS.Commands.StartLguestVmCommand'
        $r.Error.Exception.Message | Should -Match 'lguestps-no-such-user'
        Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
        (Get-LguestVm nouser).State | Should -Be 'Failed'
    }

    It 'refuses a kernel deleted since New-LguestVm (KernelNotFound), and goes on without -ErrorAction Stop' {
        Copy-Item ./vmlinuz ./gone.bzImage
        New-LguestVm -Name gone -MemoryMB 64 -Kernel ./gone.bzImage | Out-Null
        Remove-Item ./gone.bzImage
        $r = Invoke-Advanced -ErrorAction SilentlyContinue { Start-LguestVm -Name gone }
        $r.Output | Should -Contain 'went on'
        $r.Error.FullyQualifiedErrorId | Should -Be 'KernelNotFound,LguestPS.Commands.StartLguestVmCommand'
        $r.Error.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a disk another program holds (DiskInUse, ResourceBusy)' {
        # flock(1) holds the disk as another VMM would; the engine honours flock(2) locks (docs/engine.md, the block device).
        $held = Join-Path $scratch 'data.img'
        $holder = Start-Logged -Command @('flock', '--exclusive', $held, 'tail', '-f', '/dev/null')
        try {
            # Until flock(1) has it: a shared lock that cannot be had says so (the deadline only bounds a failure).
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Invoke-Logged -Command @('flock', '--nonblock', '--shared', $held, 'true')).ExitCode -eq 0 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            New-LguestVm -Name busy -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestBlockDevice -Path ./data.img | Out-Null
            $r = Invoke-Advanced { Start-LguestVm -Name busy }
            $r.Output | Should -Not -Contain 'went on'
            $r.Error.FullyQualifiedErrorId | Should -Be 'DiskInUse,LguestPS.Commands.StartLguestVmCommand'
            $r.Error.CategoryInfo.Category | Should -Be 'ResourceBusy'
        }
        finally {
            $holder.Process.Kill($true)
            $holder | Wait-Logged -TimeoutSeconds 30 | Out-Null
        }
    }

    It 'refuses a disk a running VM holds (DiskInUse)' {
        Skip-WithoutKvm
        New-LguestVm -Name holder -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments 'tests=serial' | Add-LguestBlockDevice -Path ./disk.img | Start-LguestVm | Out-Null
        New-LguestVm -Name second -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestBlockDevice -Path ./disk.img | Out-Null
        $r = Invoke-Advanced { Start-LguestVm -Name second }
        $r.Error.FullyQualifiedErrorId | Should -Be 'DiskInUse,LguestPS.Commands.StartLguestVmCommand'
        (Get-LguestVm holder).State | Should -Be 'Running'
    }

    It 'reports a host without KVM as its own error (KvmUnavailable)' {
        if ($hasKvm) { Set-ItResult -Skipped -Because 'this host has /dev/kvm' }
        New-LguestVm -Name nokvm -MemoryMB 64 -Kernel ./vmlinuz | Out-Null
        $r = Invoke-Advanced { Start-LguestVm -Name nokvm }
        $r.Error.FullyQualifiedErrorId | Should -Be 'KvmUnavailable,LguestPS.Commands.StartLguestVmCommand'
        $r.Error.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }

    It 'returns a Running job once the engine said ready' {
        Skip-WithoutKvm
        $job = New-LguestVm -Name ready -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments 'tests=serial' | Start-LguestVm
        $job.State | Should -Be 'Running'
        (Get-LguestVm ready).State | Should -Be 'Running'
    }
}

Describe 'Jobs and -Wait, as job users expect' {
    AfterEach { Remove-LguestState }

    It 'lets Receive-Job -Wait -AutoRemoveJob read the console and remove the finished job' {
        Skip-WithoutKvm
        $lines = New-LguestVm -Name auto -MemoryMB 64 -Kernel ./vmlinuz -OnReboot Exit | Start-LguestVm | Receive-Job -Wait -AutoRemoveJob
        $lines.Text | Where-Object { $_ -like 'TESTS DONE*' } | Should -Match 'failed=0$'
        Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
    }

    It 'stops a VM still running when Start-LguestVm -Wait -Timeout runs out (WaitTimeout)' {
        Skip-WithoutKvm
        New-LguestVm -Name forever -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments 'tests=serial' | Out-Null
        $errs = $null
        $lines = Start-LguestVm -Name forever -Wait -Timeout 10 -ErrorVariable errs -ErrorAction SilentlyContinue
        $lines.Text | Should -Contain 'READY serial'
        $errs[-1].FullyQualifiedErrorId | Should -Be 'WaitTimeout,LguestPS.Commands.StartLguestVmCommand'
        $errs[-1].CategoryInfo.Category | Should -Be 'OperationTimeout'
        (Get-LguestVm forever).State | Should -Be 'Off'
        (Get-LguestVm forever).ExitReason | Should -Be 'sigterm'
    }

    It 'runs several VMs at once under -Wait, their lines interleaved' {
        Skip-WithoutKvm
        'left', 'right' | ForEach-Object { New-LguestVm -Name $_ -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments 'tests=serial' } | Out-Null
        # Each guest waits to be stopped; once both are ready at the same time, both are stopped from inside the pipeline.
        $ready = @{}
        $lines = Start-LguestVm -Name left, right -Wait -Timeout 120 | ForEach-Object {
            $_
            if ($_.Text -eq 'READY serial') { $ready[$_.VmName] = $true }
            if ($ready.Count -eq 2) { Stop-LguestVm -Name left, right }
        }
        $ready.Keys | Sort-Object | Should -Be @('left', 'right')
        ($lines.VmName | Select-Object -Unique | Sort-Object) | Should -Be @('left', 'right')
        (Get-LguestVm left, right).State | Should -Be @('Off', 'Off')
    }
}

Describe 'Two VMs in two link-local subnets' {
    It 'reaches both guests from the host (a /24 per tap)' {
        Skip-WithoutKvm
        if ([Environment]::UserName -ne 'root') { Set-ItResult -Skipped -Because 'creating a network namespace and taps needs root' }
        # unshare --net: pwsh, both taps and every packet stay in a namespace that vanishes with it; 169.254 only.
        $script = @'
$vms = foreach ($n in 1, 2) {
    New-LguestVm -Name "n$n" -MemoryMB 64 -Kernel '{0}' -OnReboot Exit -KernelArguments "tests=net-echo guest.ip=169.254.$n.2 guest.hostip=169.254.$n.1 guest.echosecs=600" |
        Add-LguestTapNetwork -IPAddress "169.254.$n.1"
}
$vms | Start-LguestVm | Out-Null
foreach ($n in 1, 2) { Wait-LguestVm -Name "n$n" -Pattern '^READY net-echo' -Timeout 600 | Out-Null }
foreach ($n in 1, 2) {
    $udp = [Net.Sockets.UdpClient]::new()
    $udp.Client.ReceiveTimeout = 10000
    $payload = [Text.Encoding]::ASCII.GetBytes("hello n$n")
    $null = $udp.Send($payload, $payload.Length, "169.254.$n.2", 7)
    $from = [Net.IPEndPoint]::new([Net.IPAddress]::Any, 0)
    try { "n${n}: " + [Text.Encoding]::ASCII.GetString($udp.Receive([ref]$from)) + " from $($from.Address)" } catch { "n${n}: no answer ($($_.Exception.Message))" }
    $udp.Dispose()
}
Get-LguestVm | Stop-LguestVm
'@.Replace('{0}', $guest)
        $run = Invoke-ModulePwsh -Prefix @('unshare', '--net', '--') -Script $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'n1: hello n1 from 169\.254\.1\.2'
        $run.Output | Should -Match 'n2: hello n2 from 169\.254\.2\.2'
    }
}

Describe 'Objects that crossed a serialization boundary' {
    BeforeAll {
        New-LguestVm -Name far -MemoryMB 128 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice -Path ./data.img -ReadOnly | Out-Null
    }
    AfterAll { Remove-LguestState }

    It 'keep readable devices and the table view through Export-Clixml and Import-Clixml' {
        Get-LguestVm far | Export-Clixml far.xml
        $copy = Import-Clixml far.xml
        $copy.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestVm'
        $copy.Devices.Kind | Should -Be @('Rng', 'Block')
        $copy.Devices[1].ReadOnly | Should -BeTrue
        $copy.Devices[1].Path | Should -Be (Join-Path $scratch 'data.img')
        $table = $copy | Out-String -Width 160
        $table | Should -Match 'Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices'
        $table | Should -Match 'far\s+Off\s+128\s+1\s+Rng, Block'
    }

    It 'keep readable devices and the table view when they come back from Start-Job' {
        $manifestPath = $manifest
        $back = Start-Job { Import-Module $using:manifestPath; New-LguestVm -Name inside -MemoryMB 64 -Kernel $using:guest | Add-LguestRng } |
            Receive-Job -Wait -AutoRemoveJob
        $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestVm'
        $back.Devices.Kind | Should -Be 'Rng'
        $back | Where-Object State -eq 'Off' | Should -HaveCount 1 -Because 'a state travels by name, not as its number'
        "$($back.State) $($back.OnReboot)" | Should -Be 'Off Restart'
        $back | Out-String -Width 160 | Should -Match 'inside\s+Off\s+64\s+1\s+Rng'
    }

    It 'render console lines like dmesg after Export-Clixml' {
        $line = [LguestPS.LguestConsoleLine]::new('far', 1, [TimeSpan]::FromSeconds(1.5), 'Linux version 6.1', $false)
        $line | Export-Clixml line.xml
        Import-Clixml line.xml | Out-String | Should -Match '^\s*\[\s+1\.500\] Linux version 6\.1\s*$'
    }
}

Describe 'Console records hold the text a terminal shows' {
    It 'carries no terminal control sequence in Text' {
        # An engine script that relays what busybox ash and ls --color write (the module's side is the same for any engine).
        $engine = Join-Path $scratch 'colour-engine.sh'
        Set-Content $engine @(
            '#!/bin/sh'
            'echo ''{"event":"ready","time":0.001}'' >&2'
            'printf ''\033[6n~ # ls\r\n\033[1;34mbin\033[0m  \033[1;32mrun.sh\033[0m\r\n10%%\r100%%\r\n\033[6n~ # '''
            'echo ''{"event":"exit","time":0.1,"reason":"poweroff","code":0,"message":"bye"}'' >&2'
        )
        chmod +x $engine
        $run = Invoke-ModulePwsh -Environment @{ LGUESTPS_ENGINE = $engine } -Script (
            "New-LguestVm -Name tty -MemoryMB 64 -Kernel '$guest' | Start-LguestVm -Wait | ForEach-Object { '[' + `$_.Text + ']' }")
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output.Trim() -split "`n" | ForEach-Object { $_.TrimEnd() } | Should -Be @('[~ # ls]', '[bin  run.sh]', '[100%]', '[~ # ]')
    }
}

Describe 'Help' {
    It 'lists the related links of <Name>' -ForEach @(
        @{ Name = 'Start-LguestVm' }, @{ Name = 'New-LguestVm' }, @{ Name = 'Add-LguestTapNetwork' }
    ) {
        $links = (Get-Help $Name).relatedLinks.navigationLink.linkText
        $links | Should -Contain 'about_LguestPS'
        $links.Count | Should -BeGreaterThan 2
        Get-Help $Name -Full | Out-String | Should -Match 'RELATED LINKS\s+\S+'
    }

    It 'has an about_LguestPS topic shipped in the module folder' {
        Join-Path $moduleDir 'en-US' 'about_LguestPS.help.txt' | Should -Exist
        $text = Get-Help about_LguestPS | Out-String
        foreach ($concept in 'VIRTUAL MACHINES', 'JOBS', 'CONSOLE RECORDS', 'THE ENGINE', 'SOFTWARE-ONLY KVM') {
            $text | Should -Match $concept
        }
    }
}
