#Requires -Version 7.2
<#
.SYNOPSIS
    The module over SSH remoting against the module at home: VMs started per second over four loopback
    sessions and in one local runspace, and what a console record costs over a session. bench/remoting.sh
    builds first and runs this.

.DESCRIPTION
    The "hosts" are the remoting specs' throwaway sshd (tests/pester/SshTestHost.psm1) on 127.0.0.1-4, so
    the figures are PowerShell remoting's own cost (serialization, SSH, a pwsh per session) on top of
    the module's, with no network in between. A VM counts as started when its guest's first line
    (READY serial) has reached the runspace that started it.
#>
param(
    [int] $Count = 16,   # VMs per round: $Count / 4 on each session, all $Count locally
    [int] $Runs = 3,
    [int] $Lines = 50    # console records for the latency figures
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$manifest = Join-Path $root 'out' 'LguestPS' 'LguestPS.psd1'
$guest = Join-Path $root 'tests' 'guest' 'build' 'guest.bzImage'
if (-not (Test-Path /dev/kvm)) {
    [Console]::Error.WriteLine('bench/remoting: /dev/kvm is absent, so no VM can start here: run it where KVM is, or under tools/nested-kvm/run.sh.')
    exit 1
}
if ($Count % 4) { throw "-Count must be a multiple of 4 (one share per session), not $Count." }
Import-Module $manifest
Import-Module (Join-Path $root 'tests' 'pester' 'SshTestHost.psm1')

# One round: start $Share VMs, then wait for each one's first line. The same script runs in each session and
# locally, so the two sides differ only in where it runs.
$round = {
    param([int] $Share, [string] $Kernel)
    $names = 1..$Share | ForEach-Object { "bench-$_" }
    foreach ($n in $names) { New-LguestVm -Name $n -MemoryMB 64 -Kernel $Kernel -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null }
    foreach ($n in $names) { Wait-LguestVm -Name $n -Pattern '^READY serial' -Timeout 300 | Out-Null }
}
$clear = { Get-LguestVm | Remove-LguestVm -Force -Confirm:$false; Get-Job | Remove-Job -Force }

# Console exchanges with one VM: type a line, wait for its echo, emit the echo stamped with the time it
# was emitted. Over a session the stamp says how long the record took to reach the client. The test guest
# echoes one line per boot and then reboots into READY again (the VM restarts it), so each exchange waits
# for the next READY first (Wait-LguestVm walks forward through the console).
$exchange = {
    param([int] $Lines, [string] $Kernel)
    New-LguestVm -Name echo -MemoryMB 64 -Kernel $Kernel -KernelArguments 'tests=serial' | Start-LguestVm | Out-Null
    foreach ($i in 1..$Lines) {
        Wait-LguestVm -Name echo -Pattern '^READY serial' -Timeout 300 | Out-Null
        $sent = [DateTime]::UtcNow.Ticks
        Send-LguestVmConsole -VMName echo -Text "ping $i"
        Wait-LguestVm -Name echo -Pattern "^ECHO ping $i`$" -Timeout 60 |
            Add-Member -NotePropertyName Sent -NotePropertyValue $sent -PassThru |
            Add-Member -NotePropertyName Emitted -NotePropertyValue ([DateTime]::UtcNow.Ticks) -PassThru
    }
}

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}
function Get-Percentile([double[]] $Values, [double] $P) {
    $s = @($Values | Sort-Object)
    $s[[math]::Min($s.Count - 1, [int][math]::Ceiling($P / 100 * $s.Count) - 1)]
}

$sshHost = Start-SshTestHost -Pwsh (Join-Path $PSHOME 'pwsh')
try {
    $sessions = New-SshTestSession $sshHost -Count 4
    Invoke-Command -Session $sessions { Import-Module $using:manifest }
    # Warm-up (JIT on both sides, page cache), not measured.
    Invoke-Command -Session $sessions $round -ArgumentList 1, $guest; Invoke-Command -Session $sessions $clear
    & $round 1 $guest; & $clear

    $remote = [Collections.Generic.List[double]]::new(); $local = [Collections.Generic.List[double]]::new()
    foreach ($run in 1..$Runs) {
        # Interleaved, so that a slow moment of the machine falls on both sides.
        $t = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Command -Session $sessions $round -ArgumentList ($Count / 4), $guest
        $remote.Add($t.Elapsed.TotalSeconds)
        Invoke-Command -Session $sessions $clear
        $t = [Diagnostics.Stopwatch]::StartNew()
        & $round $Count $guest
        $local.Add($t.Elapsed.TotalSeconds)
        & $clear
    }
    $r = Get-Median $remote; $l = Get-Median $local
    "VMs started (to the guest's first console line), $Count per round, median of $Runs rounds:"
    '  4 loopback SSH sessions ({0} each): {1,6:N1} VMs/s  ({2:N2} s)' -f ($Count / 4), ($Count / $r), $r
    '  one local runspace:                {0,6:N1} VMs/s  ({1:N2} s)' -f ($Count / $l), $l
    '  remote/local:                      {0,6:N2}' -f ($l / $r)

    # Latency: the records arrive through a job's stream (Receive-Job -Wait hands each on as it comes).
    $job = Invoke-Command -Session $sessions[0] -AsJob $exchange -ArgumentList $Lines, $guest
    $oneWay = [Collections.Generic.List[double]]::new(); $overSession = [Collections.Generic.List[double]]::new()
    Receive-Job $job -Wait | ForEach-Object {
        $now = [DateTime]::UtcNow.Ticks
        $oneWay.Add(($now - $_.Emitted) / 1e4)
        $overSession.Add(($now - $_.Sent) / 1e4)
    }
    Remove-Job $job; Invoke-Command -Session $sessions[0] $clear
    $localEcho = & $exchange $Lines $guest | ForEach-Object { ($_.Emitted - $_.Sent) / 1e4 }
    & $clear
    "Console records over a session ($Lines lines typed and echoed by the test guest, ms):"
    '  remote emit -> client pipeline:    median {0,6:N2}  p95 {1,6:N2}' -f (Get-Median $oneWay), (Get-Percentile $oneWay 95)
    '  typed -> echo at the client:       median {0,6:N2}  p95 {1,6:N2}' -f (Get-Median $overSession), (Get-Percentile $overSession 95)
    '  typed -> echo, local runspace:     median {0,6:N2}  p95 {1,6:N2}' -f (Get-Median $localEcho), (Get-Percentile $localEcho 95)
}
finally {
    if ($sessions) { Remove-PSSession $sessions }
    $left = Stop-SshTestHost $sshHost
    if ($left) { Write-Warning "sshd processes still running: $left" }
}
