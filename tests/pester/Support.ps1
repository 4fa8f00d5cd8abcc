<#
    Dot-sourced by every spec file's BeforeAll: imports the assembled module
    folder (out/LguestPS) as a user would, and gives the specs the paths and
    helpers they share. The specs boot the project's test guest
    (tests/guest/build) wherever /dev/kvm exists; it boots in well under a
    second, even on a software-only KVM.
#>

$script:root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:moduleDir = Join-Path $root 'out' 'LguestPS'
$script:manifest = Join-Path $moduleDir 'LguestPS.psd1'
if (-not (Test-Path $manifest)) { throw "The module is not built: run ./build.sh build (or ./build.ps1) first ($manifest)." }
Import-Module $manifest
$script:guest = Join-Path $root 'tests' 'guest' 'build' 'guest.bzImage'
$script:guestElf = Join-Path $root 'tests' 'guest' 'build' 'guest.elf'
if (-not (Test-Path $guest)) { throw "The test guest is not built: run ./build.sh build (it runs make -C tests/guest) first ($guest)." }
$script:hasKvm = Test-Path /dev/kvm
# The pwsh running these specs: child PowerShells are the same one. ($PSHOME/pwsh, not the process's path:
# as a dotnet global tool, pwsh runs as `dotnet pwsh.dll`.)
$script:pwsh = Join-Path $PSHOME 'pwsh'
# Where `dotnet tool install --global` puts its commands (./build.sh deps puts pwsh there).
$script:dotnetTools = Join-Path ($env:DOTNET_CLI_HOME ?? $HOME) '.dotnet' 'tools'

function Skip-WithoutKvm {
    if (-not $hasKvm) { Set-ItResult -Skipped -Because '/dev/kvm is absent on this host, so no VM can run here' }
}

function Remove-LguestState {
    # Every VM of the session (stopping the running ones) and every VM job: specs do not see each other's.
    Get-LguestVm | Remove-LguestVm -Force -Confirm:$false
    Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Remove-Job -Force
}

function New-ScratchDirectory {
    $dir = Join-Path ([IO.Path]::GetTempPath()) "lguestps-pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $dir | Select-Object -ExpandProperty FullName
}

function New-SparseFile([string] $Path, [long] $Length) {
    $f = [IO.File]::Create($Path)
    try { $f.SetLength($Length) } finally { $f.Dispose() }
}

function Test-ProcessAlive([int] $Id) {
    # A zombie has exited; only its parent's wait is missing.
    $stat = "/proc/$Id/stat"
    if (-not (Test-Path $stat)) { return $false }
    try { -not ((Get-Content -Raw $stat).Split(')')[1].Trim().StartsWith('Z')) } catch { $false }
}

function Wait-ProcessGone([int] $Id, [int] $TimeoutSeconds = 10) {
    # Polls a condition; the timeout only bounds a failure.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ((Test-ProcessAlive $Id) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
    -not (Test-ProcessAlive $Id)
}

function Start-Logged {
    <#
        Starts a program whose output (stdout and stderr, interleaved) goes to a
        file, not to a pipe: a build leaves server processes behind that hold a
        pipe open long after the build ended, and a reader waiting for the
        pipe's end would wait for them.
    #>
    param([string[]] $Command, [hashtable] $Environment = @{}, [string] $WorkingDirectory = $root)
    $log = [IO.Path]::GetTempFileName()
    $psi = [Diagnostics.ProcessStartInfo]::new('bash')
    foreach ($a in @('-c', 'exec "$@" >"$0" 2>&1 </dev/null', $log) + $Command) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $WorkingDirectory
    $psi.UseShellExecute = $false
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    [pscustomobject]@{ Process = [Diagnostics.Process]::Start($psi); Log = $log; Command = $Command -join ' ' }
}

function Wait-Logged {
    # Waits for a Start-Logged program to end; returns its exit code and output, as plain text (pwsh colours
    # its tables and errors even into a file).
    param([Parameter(ValueFromPipeline)] $Started, [int] $TimeoutSeconds = 600)
    process {
        if (-not $Started.Process.WaitForExit($TimeoutSeconds * 1000)) {
            $Started.Process.Kill($true)
            throw "'$($Started.Command)' did not finish within $TimeoutSeconds s. Its output:`n$(Get-Content -Raw $Started.Log)"
        }
        $output = Get-Content -Raw $Started.Log
        Remove-Item $Started.Log
        [pscustomobject]@{ ExitCode = $Started.Process.ExitCode; Output = "$output" -replace '\e\[[0-?]*[ -/]*[@-~]' }
    }
}

function Invoke-Logged {
    param([string[]] $Command, [hashtable] $Environment = @{}, [string] $WorkingDirectory = $root, [int] $TimeoutSeconds = 600)
    Start-Logged -Command $Command -Environment $Environment -WorkingDirectory $WorkingDirectory | Wait-Logged -TimeoutSeconds $TimeoutSeconds
}

function Invoke-ModulePwsh {
    # A PowerShell of its own, as a user starts one, with the module imported; then $Script. The timeout only
    # bounds a failure: a new pwsh takes seconds here, but minutes under nested TCG on a loaded host.
    param([string] $Script, [hashtable] $Environment = @{}, [string[]] $Prefix = @(), [int] $TimeoutSeconds = 900)
    Invoke-Logged -Command ($Prefix + @($pwsh, '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$manifest'; $Script")) `
        -Environment $Environment -TimeoutSeconds $TimeoutSeconds
}
