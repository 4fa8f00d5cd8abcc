#Requires -Version 7.2
<#
    Many hosts: the module over PowerShell remoting, for real. The specs start
    their own sshd (SshTestHost.psm1) on 127.0.0.1-4 with pwsh as its
    `powershell` subsystem; a session to each address stands in for a host.
    Each session's pwsh imports the module by path, as a host with the module
    in a folder of its own would. Session set-up, errors and the table views
    need no KVM and run everywhere; starting VMs needs /dev/kvm on the "hosts".
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    Import-Module (Join-Path $PSScriptRoot 'SshTestHost.psm1') -Force
    # How long a pwsh or an engine may take to end before a test says it did not: a pwsh that winds a session
    # down under nested KVM on a loaded machine takes minutes (here, seconds). It only bounds a failure.
    $ending = 300
    $sshHost = Start-SshTestHost -Pwsh $pwsh
    $sessions = New-SshTestSession $sshHost -Count 4
    Invoke-Command -Session $sessions { Import-Module $using:manifest }

    function Get-RemoteVm([string] $Name) {
        Invoke-Command -Session $sessions { Get-LguestVm -Name $using:Name }
    }

    function Wait-ForRecord {
        # Receives a job's output as it arrives until every host sent a record whose text matches $Pattern;
        # returns everything received. The deadline only bounds a failure.
        param($Job, [string] $Pattern, [int] $TimeoutSeconds = 900)
        $received = [Collections.Generic.List[object]]::new()
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        do {
            foreach ($r in @(Receive-Job $Job)) { $received.Add($r) }
            $hosts = @($received | Where-Object { $_.Text -match $Pattern } | ForEach-Object PSComputerName | Sort-Object -Unique)
            if ($hosts.Count -eq $sshHost.Addresses.Count -or $Job.State -ne 'Running') { break }
            Start-Sleep -Milliseconds 50
        } while ([DateTime]::UtcNow -lt $deadline)
        , $received
    }

    function Start-KilledClient([string] $Script) {
        # A client pwsh of its own that opens a session to the test host, runs $Script there (which prints what
        # the spec needs) and then holds the session until it is killed.
        $hostFile = Join-Path $sshHost.Directory "host-$([guid]::NewGuid().ToString('N').Substring(0, 8)).xml"
        $sshHost | Select-Object * -ExcludeProperty Process | Export-Clixml $hostFile
        Start-Logged -Command @($pwsh, '-NoProfile', '-NonInteractive', '-Command', (
            "Import-Module '$(Join-Path $PSScriptRoot 'SshTestHost.psm1')'; `$s = New-SshTestSession (Import-Clixml '$hostFile'); " +
            "Invoke-Command -Session `$s { Import-Module '$manifest'; $Script } | ForEach-Object { `"`$_`" }; " +
            "'client ready'; Wait-Event -SourceIdentifier LguestPS.Pester.Never"))
    }

    function Stop-Client([object] $Client) {
        # SIGKILL, if a failed step left it running, and its log gone.
        if (-not $Client.Process.HasExited) { $Client.Process.Kill() }
        $Client | Wait-Logged -TimeoutSeconds 30 | Out-Null
    }

    function Wait-ClientLine([object] $Client, [string] $Pattern, [int] $TimeoutSeconds = 900) {
        # Waits for a line in the client's log (the condition), bounded by a deadline; returns its match.
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline -and -not $Client.Process.HasExited) {
            $line = Select-String -Path $Client.Log -Pattern $Pattern -ErrorAction Ignore | Select-Object -First 1
            if ($line) { return $line.Matches[0] }
            Start-Sleep -Milliseconds 50
        }
        throw "The client never printed /$Pattern/: $(Get-Content -Raw $Client.Log)"
    }
}

AfterAll {
    if ($sessions) { Remove-PSSession $sessions -ErrorAction Ignore }
    if ($sshHost -and -not $sshHost.Process.HasExited) { Stop-SshTestHost $sshHost | Out-Null }
}

Describe 'The test host' {
    It 'listens on loopback only, and lets in only its client key' {
        # /proc/net/tcp: "sl local_address rem_address st ...", addresses as little-endian hex, st 0A = LISTEN.
        $port = '{0:X4}' -f $sshHost.Port
        $listening = @(Get-Content /proc/net/tcp, /proc/net/tcp6 | Where-Object { $_ -match "^\s*\d+: ([0-9A-F]+):$port [0-9A-F]+:[0-9A-F]+ 0A " } |
            ForEach-Object { $Matches[1] })
        $listening | Should -HaveCount 4
        foreach ($a in $listening) {
            $a.Length | Should -Be 8 -Because 'nothing listens on IPv6'
            [Convert]::ToByte($a.Substring(6, 2), 16) | Should -Be 127 -Because "$a is a loopback address"
        }
        $refused = & ssh -p $sshHost.Port -o BatchMode=yes -o "UserKnownHostsFile=$($sshHost.KnownHostsFile)" -o StrictHostKeyChecking=yes `
            -o PubkeyAuthentication=no "$($sshHost.UserName)@127.0.0.1" true 2>&1
        $LASTEXITCODE | Should -Be 255
        "$refused" | Should -Match 'Permission denied \(publickey\)' -Because 'the server offers no method but a key'
    }

    It 'gives each session a pwsh of its own, the powershell subsystem of the sshd, with the module imported by path' {
        $remote = Invoke-Command -Session $sessions { [pscustomobject]@{ ProcessId = $PID; Module = (Get-Module LguestPS).Path } }
        $remote.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        $remote.ProcessId | Sort-Object -Unique | Should -HaveCount 4
        $tree = @(Get-ProcessTree $sshHost.Process.Id)
        foreach ($r in $remote) {
            $tree | Should -Contain $r.ProcessId -Because 'the sshd started it'
            (Get-Content -Raw "/proc/$($r.ProcessId)/cmdline").Split([char]0) | Should -Contain '-sshs'
            $r.Module | Should -Be (Join-Path $moduleDir 'LguestPS.Module.dll')
        }
    }
    It 'offers no JEA over SSH, as the README says: no session configuration to name' {
        $ssh = (Get-Command New-PSSession).ParameterSets | Where-Object { $_.Parameters.Name -contains 'HostName' }
        $ssh | Should -Not -BeNullOrEmpty
        $ssh.Parameters.Name | Should -Not -Contain 'ConfigurationName'
        Invoke-Command -Session $sessions[0] { "$($ExecutionContext.SessionState.LanguageMode)" } | Should -Be 'FullLanguage'
    }
}

Describe 'Errors from many hosts' {
    It 'arrive with their errorId, category and target: a remote KernelNotFound' {
        Invoke-Command -Session $sessions { New-LguestVm -MemoryMB 64 -Kernel /no/such/kernel } -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 4
        foreach ($e in $errs) {
            $e.FullyQualifiedErrorId | Should -Be 'KernelNotFound,LguestPS.Commands.NewLguestVmCommand'
            $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e.CategoryInfo.TargetName | Should -Be '/no/such/kernel'
            $e.Exception.Message | Should -Match "The kernel '/no/such/kernel'"
        }
        $errs.OriginInfo.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
    }

    It 'arrive the same through a job (-AsJob), and the job says which hosts failed' {
        $job = Invoke-Command -Session $sessions -AsJob { New-LguestVm -MemoryMB 64 -Kernel /no/such/kernel -ErrorAction Stop }
        $job | Wait-Job -Timeout 900 | Out-Null
        $job.State | Should -Be 'Failed'
        $job.ChildJobs.State | Should -Be @('Failed', 'Failed', 'Failed', 'Failed')
        Receive-Job $job -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs | Should -HaveCount 4
        $errs.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'KernelNotFound,LguestPS.Commands.NewLguestVmCommand'
        $errs.CategoryInfo.Category | Sort-Object -Unique | Should -Be 'ObjectNotFound'
        $errs.OriginInfo.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        Remove-Job $job
    }
}

Describe 'VMs from many hosts in one table' {
    AfterAll { Invoke-Command -Session $sessions { Get-LguestVm | Remove-LguestVm -Force -Confirm:$false } }

    It 'look like local ones in the module''s table view, with the host column' {
        $vms = Invoke-Command -Session $sessions { New-LguestVm -Name listed -MemoryMB 96 -Kernel $using:guest }
        $vms | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestVm' }
        $vms | Where-Object State -eq 'Off' | Should -HaveCount 4 -Because 'a remote state compares by name, like a local one'
        "$($vms[0].State)" | Should -Be 'Off'
        $text = $vms | Sort-Object PSComputerName | Out-String -Width 200
        $text | Should -Match '(?m)^\s*Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices\s+PSComputerName\s*$' -Because $text
        foreach ($a in $sshHost.Addresses) { $text | Should -Match "(?m)^listed\s+Off\s+96\s+1\s+$([regex]::Escape($a))\s*$" -Because $text }
    }

    It 'and console lines read like local ones, with the host: records with VmName, Text and PSComputerName' {
        # Lines as the module makes them on each host (no VM needed: VMs need /dev/kvm; 'VMs on many hosts' has real ones).
        $lines = Invoke-Command -Session $sessions {
            [LguestPS.LguestConsoleLine]::new('web', 7, [timespan]::FromSeconds(0.5), 'READY serial', $false)
            [LguestPS.LguestConsoleLine]::new('web', 8, [timespan]::FromSeconds(0.75), 'login: ', $true)
        }
        $lines | Should -HaveCount 8
        foreach ($l in $lines) {
            $l.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestConsoleLine'
            $l.VmName | Should -Be 'web'
            $l.Time | Should -BeOfType [timespan]
        }
        "$($lines[0])" | Should -Be 'READY serial' -Because 'a record still reads as its text'
        $lines | Where-Object { $_ -match '^READY' } | Should -HaveCount 4
        $text = $lines | Out-String -Width 200
        foreach ($a in $sshHost.Addresses) {
            $text | Should -Match "(?m)^\[\s+0\.500\] READY serial\s+$([regex]::Escape($a))\s*$" -Because $text
            $text | Should -Match "(?m)^\[\s+0\.750\] login:  \.\.\.\s+$([regex]::Escape($a))\s*$" -Because 'a partial line shows as one'
        }
    }
}

Describe 'Sessions that end' {
    It 'end their pwsh with Remove-PSSession' {
        $s = New-SshTestSession $sshHost
        $remotePid = Invoke-Command -Session $s { $PID }
        Test-ProcessAlive $remotePid | Should -BeTrue
        Remove-PSSession $s
        Wait-ProcessGone $remotePid -TimeoutSeconds $ending | Should -BeTrue -Because 'the session''s pwsh ends with it'
    }

    It 'end their pwsh, and the client''s ssh, when the client is killed outright (SIGKILL)' {
        $client = Start-KilledClient "'remote ' + `$PID"
        try {
            $remotePid = [int](Wait-ClientLine $client '^remote (\d+)').Groups[1].Value
            Wait-ClientLine $client '^client ready' | Out-Null
            $clientTree = @(Get-ProcessTree $client.Process.Id | Where-Object { $_ -ne $client.Process.Id })
            $clientTree | ForEach-Object { (Get-Content -Raw "/proc/$_/comm").Trim() } | Should -Contain 'ssh'
            $client.Process.Kill()   # SIGKILL: the client runs none of its own code on the way out
        }
        finally { Stop-Client $client }
        Wait-ProcessGone $remotePid -TimeoutSeconds $ending | Should -BeTrue -Because 'the remote pwsh ends when its connection does'
        foreach ($id in $clientTree) { Wait-ProcessGone $id -TimeoutSeconds $ending | Should -BeTrue -Because "the client's $id ends with it" }
    }
}

Describe 'VMs on many hosts' {
    AfterEach {
        # A remote pipeline a failed test left running keeps its session busy: stop it (and its VMs) first.
        Get-Job | Where-Object PSJobTypeName -eq 'RemoteJob' | Remove-Job -Force
        Invoke-Command -Session $sessions { Get-LguestVm | Remove-LguestVm -Force -Confirm:$false; Get-Job | Remove-Job -Force }
    }

    It 'start on four hosts at once (-AsJob), wait for their console, and stop remotely' {
        Skip-WithoutKvm
        $start = Invoke-Command -Session $sessions -AsJob {
            New-LguestVm -Name fan -MemoryMB 64 -Kernel $using:guest -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null
            Wait-LguestVm -Name fan -Pattern '^READY serial' -Timeout 300
        }
        $ready = @($start | Wait-Job -Timeout 900 | Receive-Job)
        $start.State | Should -Be 'Completed'
        $ready | Should -HaveCount 4
        foreach ($r in $ready) {
            $r.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestConsoleLine'
            $r.VmName | Should -Be 'fan'
            $r.Text | Should -Be 'READY serial'
            "$r" | Should -Be 'READY serial' -Because 'a record still reads as its text'
        }
        $ready.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        ($ready | Out-String -Width 200) | Should -Match '\[\s*\d+\.\d{3}\] READY serial\s+127\.0\.0\.\d' -Because 'the console view applies, with the host'

        $engines = (Get-RemoteVm fan).ProcessId
        $engines | ForEach-Object { Test-ProcessAlive $_ | Should -BeTrue }
        $stopped = Invoke-Command -Session $sessions { Stop-LguestVm -Name fan; Get-LguestVm -Name fan }
        @($stopped.State) | Should -Be @('Off', 'Off', 'Off', 'Off')
        foreach ($e in $engines) { Wait-ProcessGone $e -TimeoutSeconds $ending | Should -BeTrue -Because "engine $e stopped" }
        $console = Invoke-Command -Session $sessions { Get-Job -Name fan | Receive-Job }
        foreach ($a in $sshHost.Addresses) {
            # At least one: without input the test guest gives up after 10 s and reboots (into READY again), and a
            # slow machine can take that long between two steps here.
            $console | Where-Object { $_.PSComputerName -eq $a -and $_.Text -eq 'READY serial' } | Should -Not -BeNullOrEmpty
        }
    }

    It 'stream their console back as it comes (Start-LguestVm -Wait), and Stop-Job stops them on every host' {
        Skip-WithoutKvm
        # While the streaming pipeline runs, its sessions take no other command: find the engines as this machine's
        # processes instead, children of the sessions' pwsh (the hosts are all this machine, over loopback).
        $shells = Invoke-Command -Session $sessions { $PID }
        $stream = Invoke-Command -Session $sessions -AsJob {
            New-LguestVm -Name stream -MemoryMB 64 -Kernel $using:guest -KernelArguments 'tests=serial' | Start-LguestVm -Wait
        }
        $received = Wait-ForRecord $stream '^READY serial'
        $stream.State | Should -Be 'Running' -Because 'the VMs still run: their console is still coming'
        ($received | Where-Object Text -eq 'READY serial').PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        $received | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'Deserialized.LguestPS.LguestConsoleLine' }
        $engines = @(Get-Process -Name lguest -ErrorAction Ignore | Where-Object { $_.Parent.Id -in $shells }).Id
        $engines | Should -HaveCount 4
        Stop-Job $stream
        $stream.State | Should -Be 'Stopped'
        @((Get-RemoteVm stream).State) | Should -Be @('Off', 'Off', 'Off', 'Off')
        foreach ($e in $engines) { Wait-ProcessGone $e -TimeoutSeconds $ending | Should -BeTrue -Because "engine $e stopped with the remote pipeline" }
        Remove-Job $stream
    }
}

Describe 'VMs of sessions that end' {
    It 'stop with Remove-PSSession' {
        Skip-WithoutKvm
        $s = New-SshTestSession $sshHost
        $remote = Invoke-Command -Session $s {
            Import-Module $using:manifest
            New-LguestVm -Name left -MemoryMB 64 -Kernel $using:guest -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null
            Wait-LguestVm -Name left -Pattern '^READY serial' -Timeout 300 | Out-Null
            [pscustomobject]@{ Pwsh = $PID; Engine = (Get-LguestVm left).ProcessId }
        }
        Test-ProcessAlive $remote.Engine | Should -BeTrue
        Remove-PSSession $s
        Wait-ProcessGone $remote.Engine -TimeoutSeconds $ending | Should -BeTrue -Because 'no engine outlives its session'
        Wait-ProcessGone $remote.Pwsh -TimeoutSeconds $ending | Should -BeTrue
    }

    It 'stop when the client is killed outright (SIGKILL)' {
        Skip-WithoutKvm
        $client = Start-KilledClient ("New-LguestVm -Name orphan -MemoryMB 64 -Kernel '$guest' -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null; " +
            "Wait-LguestVm -Name orphan -Pattern '^READY serial' -Timeout 300 | Out-Null; 'engine ' + (Get-LguestVm orphan).ProcessId")
        try {
            $enginePid = [int](Wait-ClientLine $client '^engine (\d+)').Groups[1].Value
            Wait-ClientLine $client '^client ready' | Out-Null
            Test-ProcessAlive $enginePid | Should -BeTrue
            $client.Process.Kill()
        }
        finally { Stop-Client $client }
        Wait-ProcessGone $enginePid -TimeoutSeconds $ending | Should -BeTrue -Because "engine $enginePid must not outlive the client that started it"
    }
}

Describe 'The README''s many-hosts pattern' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Markdown.ps1')
        $block = (Get-MarkdownCodeBlock (Join-Path $root 'README.md') | Where-Object Heading -eq 'Many hosts' | Select-Object -First 1).Code
        # The README's hosts, user, module folder and kernel are a reader's; here they are the test host's and ours.
        $stand = [ordered]@{
            'New-PSSession -HostName kvm1, kvm2, kvm3, kvm4 -UserName ops -KeyFilePath ~/.ssh/id_ed25519' = 'New-SshTestSession $sshHost -Count 4'
            'Import-Module LguestPS' = "Import-Module '$manifest'"
            '/srv/guest.bzImage' = $guest
        }
        $script = $block
        foreach ($k in $stand.Keys) { $script = $script.Replace($k, $stand[$k]) }
    }

    It 'is PowerShell that parses, with the hosts and paths the spec stands in for' {
        foreach ($k in $stand.Keys) { $block | Should -Match ([regex]::Escape($k)) -Because 'the spec replaces it' }
        $parseErrors = $null
        [System.Management.Automation.Language.Parser]::ParseInput($block, [ref]$null, [ref]$parseErrors) | Out-Null
        $parseErrors | Should -BeNullOrEmpty
    }

    It 'runs as written: a READY record and a running VM from each host, then nothing left' {
        Skip-WithoutKvm
        $out = @(& ([scriptblock]::Create($script)) 2>&1)
        $out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        $ready = @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.LguestPS.LguestConsoleLine' })
        $ready.Text | Should -Be @('READY serial', 'READY serial', 'READY serial', 'READY serial')
        $ready.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        $vms = @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.LguestPS.LguestVm' })
        @($vms.State) | Should -Be @('Running', 'Running', 'Running', 'Running')
        $vms.PSComputerName | Sort-Object | Should -Be $sshHost.Addresses
        foreach ($e in $vms.ProcessId) { Wait-ProcessGone $e -TimeoutSeconds $ending | Should -BeTrue -Because "engine $e stopped" }
    }
}

Describe 'Tearing the test host down' {
    It 'leaves nothing of it running' {
        Remove-PSSession $sessions
        # The connections end by themselves once their sessions are closed (waited for; the deadline bounds a failure).
        $deadline = [DateTime]::UtcNow.AddSeconds($ending)
        while (($tree = @(Get-ProcessTree $sshHost.Process.Id | Where-Object { Test-ProcessAlive $_ })).Count -gt 1 -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        $tree | Should -Be @($sshHost.Process.Id) -Because 'only the listener is left once every session is closed'
        Stop-SshTestHost $sshHost | Should -BeNullOrEmpty -Because 'every process of the sshd ended'
        foreach ($id in $tree) { Test-ProcessAlive $id | Should -BeFalse }
        Test-Path $sshHost.Directory | Should -BeFalse -Because 'its keys are gone'
    }
}
