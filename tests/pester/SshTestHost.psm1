<#
    A throwaway SSH host for the remoting specs (Remoting.Tests.ps1) and
    bench/remoting.sh: Debian's sshd, started by the caller and ended by it,
    with pwsh as the `powershell` subsystem, so that New-PSSession -HostName
    reaches a real PowerShell over a real SSH connection, as it would reach
    another machine.

    Everything it needs lives in one temporary directory: a host key, a
    client key (the only way in: key authentication only, no password, no
    PAM), the authorized_keys and known_hosts files and sshd's log. It listens
    on four loopback addresses, 127.0.0.1 to 127.0.0.4 (all of 127/8 is the
    loopback interface), on one free port: a session to each address is a
    session to a different "host", and PSComputerName tells them apart, as it
    would tell four machines apart. Nothing listens beyond loopback.

    StrictModes is off: it would have sshd refuse an authorized_keys file
    whose directories up to / are writable by others, and the temporary
    directory lives under /tmp (mode 1777). The keys themselves are 0600, as
    ssh and sshd insist.
#>

Set-StrictMode -Version 3.0

$script:Addresses = @('127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4')
$script:Sshd = '/usr/sbin/sshd'   # sshd re-executes itself for each connection, so it wants its absolute path

function Get-ChildProcessId([int] $Id) {
    # The processes whose parent is $Id, from /proc/<pid>/stat: "pid (comm) state ppid ...".
    foreach ($stat in Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -match '^\d+$') {
        try { $fields = (Get-Content -Raw "$($stat.FullName)/stat" -ErrorAction Stop).Split(')')[1].Trim().Split(' ') } catch { continue }
        if ([int]$fields[1] -eq $Id) { [int]$stat.Name }
    }
}

function Get-ProcessTree {
    <# .SYNOPSIS The process $Id and every process descended from it that still runs (zombies included). #>
    param([int] $Id)
    if (-not (Test-Path "/proc/$Id")) { return }
    $Id
    foreach ($child in Get-ChildProcessId $Id) { Get-ProcessTree $child }
}

function Get-FreeLoopbackPort {
    # A port the kernel hands out as free on 127.0.0.1; sshd then binds it on all four addresses, and a port
    # taken in between shows as sshd not listening on all of them (Start-SshTestHost then tries another).
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Invoke-Native([string] $File, [string[]] $Arguments) {
    $out = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed ($LASTEXITCODE): $out" }
}

function Start-SshTestHost {
    <#
    .SYNOPSIS
        Starts sshd on 127.0.0.1-4 on a free port with a fresh host key and client key; returns the host.
    .PARAMETER Pwsh
        The pwsh that serves each session (`Subsystem powershell <Pwsh> -sshs -NoLogo`).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Pwsh, [int] $TimeoutSeconds = 120)

    if (-not (Test-Path $Sshd)) { throw "$Sshd is missing: install Debian's openssh-server (./build.sh deps installs build/packages.txt)." }
    # A root sshd drops privileges for the pre-authentication child into this empty directory; Debian's
    # service unit creates it at boot, and a machine that never started the service has none.
    if ([Environment]::UserName -eq 'root' -and -not (Test-Path /run/sshd)) {
        New-Item -ItemType Directory -Path /run/sshd | Out-Null
        Invoke-Native chmod @('0755', '/run/sshd')
    }
    $dir = Join-Path ([IO.Path]::GetTempPath()) "lguestps-sshd-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        foreach ($key in 'host_key', 'client_key') {
            Invoke-Native ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-C', "lguestps-test-$key", '-f', (Join-Path $dir $key))
        }
        $authorized = Join-Path $dir 'authorized_keys'
        Copy-Item (Join-Path $dir 'client_key.pub') $authorized
        Invoke-Native chmod @('0600', $authorized)

        for ($attempt = 1; ; $attempt++) {
            $port = Get-FreeLoopbackPort
            $config = Join-Path $dir 'sshd_config'
            @(
                $Addresses | ForEach-Object { "ListenAddress ${_}:$port" }
                "HostKey $(Join-Path $dir 'host_key')"
                'PidFile none'
                "AuthorizedKeysFile $authorized"
                'PubkeyAuthentication yes'
                'AuthenticationMethods publickey'
                'PasswordAuthentication no'
                'KbdInteractiveAuthentication no'
                'UsePAM no'
                'StrictModes no'
                'PermitRootLogin prohibit-password'
                "AllowUsers $([Environment]::UserName)"
                'X11Forwarding no'
                'AllowTcpForwarding no'
                "Subsystem powershell $Pwsh -sshs -NoLogo"
            ) | Set-Content $config
            $log = Join-Path $dir "sshd-$attempt.log"
            $psi = [Diagnostics.ProcessStartInfo]::new('bash')
            # -D: stays in the foreground, our child; -e: logs to stderr, here a file (never a pipe nobody reads).
            foreach ($a in @('-c', 'exec "$@" >"$0" 2>&1 </dev/null', $log, $Sshd, '-D', '-e', '-f', $config)) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $process = [Diagnostics.Process]::Start($psi)

            # Waits for the condition (a "Server listening" line per address), bounded by a deadline.
            $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
            $listening = 0
            while (-not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                $listening = @(Select-String -Path $log -Pattern '^Server listening on ' -ErrorAction Ignore).Count
                if ($listening -eq $Addresses.Count) { break }
                Start-Sleep -Milliseconds 20
            }
            if ($listening -eq $Addresses.Count) { break }
            if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() }
            if ($attempt -ge 3) { throw "sshd did not listen on $($Addresses -join ', ') port ${port}: $(Get-Content -Raw $log)" }
        }

        Set-Content (Join-Path $dir 'known_hosts') ("$(($Addresses | ForEach-Object { "[$_]:$port" }) -join ',') " +
            (Get-Content -Raw (Join-Path $dir 'host_key.pub')).Trim())
        [pscustomobject]@{
            PSTypeName     = 'LguestPS.Tests.SshTestHost'
            Port           = $port
            Addresses      = $Addresses
            UserName       = [Environment]::UserName
            Directory      = $dir
            KeyFilePath    = Join-Path $dir 'client_key'
            KnownHostsFile = Join-Path $dir 'known_hosts'
            Log            = $log
            Process        = $process
        }
    }
    catch {
        Remove-Item -Recurse -Force $dir -ErrorAction Ignore
        throw
    }
}

function Get-SshTestHostOption {
    <#
    .SYNOPSIS
        The ssh client options for the host: its key only, this host key only, and never a prompt (a prompt
        would wait for a terminal that a test does not have).
    #>
    param([Parameter(Mandatory)] $SshHost)
    @{
        UserKnownHostsFile    = $SshHost.KnownHostsFile
        GlobalKnownHostsFile  = '/dev/null'
        StrictHostKeyChecking = 'yes'
        IdentitiesOnly        = 'yes'
        BatchMode             = 'yes'
        ConnectTimeout        = '30'
    }
}

function New-SshTestSession {
    <#
    .SYNOPSIS
        A PSSession to each of the host's first $Count addresses (each one "host"), over SSH with the client key.
    #>
    param([Parameter(Mandatory)] $SshHost, [ValidateRange(1, 4)] [int] $Count = 1)
    New-PSSession -HostName $SshHost.Addresses[0..($Count - 1)] -Port $SshHost.Port -UserName $SshHost.UserName `
        -KeyFilePath $SshHost.KeyFilePath -Options (Get-SshTestHostOption $SshHost) -ErrorAction Stop
}

function Stop-SshTestHost {
    <#
    .SYNOPSIS
        Ends sshd and every process it started (connections, their pwsh subsystems and what those started),
        then deletes its directory. Returns the ids of processes that outlived a generous deadline: none, if
        all went well.
    #>
    param([Parameter(Mandatory)] $SshHost, [int] $TimeoutSeconds = 120)
    $tree = @(Get-ProcessTree $SshHost.Process.Id)
    foreach ($id in $tree) { try { [Diagnostics.Process]::GetProcessById($id).Kill() } catch { } }
    $SshHost.Process.WaitForExit()
    # Waits for each to be gone (reaped or a zombie that has exited), bounded by a deadline.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $left = $tree
    while ($left -and [DateTime]::UtcNow -lt $deadline) {
        $left = @($left | Where-Object { (Test-Path "/proc/$_/stat") -and -not ((Get-Content -Raw "/proc/$_/stat" -ErrorAction Ignore) -match '\) Z ') })
        if ($left) { Start-Sleep -Milliseconds 20 }
    }
    Remove-Item -Recurse -Force $SshHost.Directory -ErrorAction Ignore
    $left
}

Export-ModuleMember -Function Start-SshTestHost, Stop-SshTestHost, New-SshTestSession, Get-SshTestHostOption, Get-ProcessTree
