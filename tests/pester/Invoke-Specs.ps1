#Requires -Version 7.2
<#
.SYNOPSIS
    Runs the Pester specs (tests/pester) with the pinned Pester and fails if any test or container fails.

.DESCRIPTION
    The Pester is the one ./build.sh deps restores from NuGet
    (build/pester/Pester.csproj pins the version), imported by path from the
    NuGet cache: not whichever Pester Get-Module would find first (Windows
    PowerShell's 3.4, or another version on $env:PSModulePath).
    Pester's summary is printed, then one line of our own; the exit code is 1
    when a test failed or a container (a whole *.Tests.ps1 file, or one of its
    BeforeAll blocks) failed, or when nothing ran. ./build.sh test and
    ./build.ps1 -Task Test call this.

.EXAMPLE
    pwsh tests/pester/Invoke-Specs.ps1

.EXAMPLE
    pwsh tests/pester/Invoke-Specs.ps1 -Path tests/pester/Readme.Tests.ps1 -Output Normal
#>
[CmdletBinding()]
param(
    # Spec files or folders to run.
    [string[]] $Path = $PSScriptRoot,

    # Pester's output verbosity.
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Detailed'
)

# Neither Set-StrictMode nor a Stop preference while the specs run: both would reach into every spec,
# and the specs run the docs' examples as a user's prompt would.
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

$pin = [xml](Get-Content -Raw (Join-Path $root 'build' 'pester' 'Pester.csproj'))
$version = ($pin.Project.ItemGroup.PackageDownload | Where-Object Include -eq 'Pester').Version.Trim('[', ']')
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget' 'packages' }
$pester = Join-Path $packages 'pester' $version 'tools' 'Pester.psd1'
if (-not (Test-Path $pester)) {
    throw "Pester $version is not at $pester. Run ./build.sh deps (it restores build/pester/Pester.csproj from NuGet)."
}
Get-Module Pester | Where-Object { $_.Version -ne [version]$version } | Remove-Module -Force
Import-Module $pester -Force

$ErrorActionPreference = 'Continue'

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = $Output
$result = Invoke-Pester -Configuration $config

Write-Host ("Pester {0}: {1}. Tests: {2} passed, {3} failed, {4} skipped, {5} not run; containers failed: {6}; {7:N1} s." -f
    $version, $result.Result, $result.PassedCount, $result.FailedCount, $result.SkippedCount, $result.NotRunCount,
    $result.FailedContainersCount, $result.Duration.TotalSeconds)
# Result is 'Failed' for either kind of failure; the counts are checked too, so neither can slip through alone.
$ok = $result.Result -eq 'Passed' -and $result.FailedCount -eq 0 -and $result.FailedContainersCount -eq 0 -and $result.TotalCount -gt 0
exit $(if ($ok) { 0 } else { 1 })
