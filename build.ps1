#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, documents, tests and packages the LguestPS module (for pwsh users).

.DESCRIPTION
    Clean    removes out/ and the build outputs.
    Build    assembles out/LguestPS: the module (dotnet publish, with every
             dependency), the manifest and format file, and the Native AOT
             lguest engine (bin/lguest); also builds the test guest.
    Docs     turns docs/cmdlets/*.md (platyPS markdown) into the MAML help
             out/LguestPS/en-US/LguestPS.Module.dll-Help.xml.
    Test     runs every test (dotnet test LguestPS.sln), then the Pester specs
             in tests/pester if Pester 5 is installed.
    Package  zips the module folder into out/LguestPS-<version>.zip, ready to
             unpack into a folder on $env:PSModulePath.

    The same steps run through build/LguestPS.Layout.proj, which
    tools/build-module.sh uses on machines without pwsh.

.EXAMPLE
    ./build.ps1
    Build and Docs: the module folder is out/LguestPS; Import-Module ./out/LguestPS/LguestPS.psd1.

.EXAMPLE
    ./build.ps1 -Task Clean, Build, Docs, Test, Package
#>
[CmdletBinding()]
param(
    # The steps to run, in this order.
    [ValidateSet('Clean', 'Build', 'Docs', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Docs'),

    # The configuration of the module assembly (the engine is always published Release, Native AOT).
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'LguestPS'
$layout = Join-Path $root 'build' 'LguestPS.Layout.proj'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    Write-Verbose $What
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Invoke-Layout {
    param([string[]] $Targets)
    Invoke-Native "MSBuild $($Targets -join ', ')" {
        dotnet msbuild $layout -restore -nologo -v:m "-t:$($Targets -join ';')" "-p:LguestLayoutConfiguration=$Configuration"
    }
}

foreach ($step in 'Clean', 'Build', 'Docs', 'Test', 'Package') {
    if ($step -notin $Task) { continue }
    Write-Host "== $step" -ForegroundColor Cyan
    switch ($step) {
        'Clean' {
            if (Test-Path $out) { Remove-Item -Recurse -Force $out }
            Invoke-Native 'dotnet clean' { dotnet clean (Join-Path $root 'LguestPS.sln') -nologo -v:q }
        }
        'Build' {
            Invoke-Layout 'LguestLayoutModule', 'LguestLayoutEngine', 'LguestLayoutGuest'
        }
        'Docs' {
            Invoke-Layout 'LguestLayoutHelp'
        }
        'Test' {
            Invoke-Native 'dotnet test' { dotnet test (Join-Path $root 'LguestPS.sln') -nologo }
            if (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0') {
                $result = Invoke-Pester -Path (Join-Path $root 'tests' 'pester') -Output Detailed -PassThru
                if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
            }
            else {
                Write-Warning 'Pester 5 is not installed (Install-Module Pester): the specs in tests/pester did not run.'
            }
        }
        'Package' {
            $manifest = Import-PowerShellDataFile (Join-Path $moduleDir 'LguestPS.psd1')
            foreach ($file in 'LguestPS.Module.dll', 'bin/lguest', 'en-US/LguestPS.Module.dll-Help.xml') {
                if (-not (Test-Path (Join-Path $moduleDir $file))) { throw "out/LguestPS/$file is missing: run the Build and Docs steps first." }
            }
            Test-ModuleManifest (Join-Path $moduleDir 'LguestPS.psd1') | Out-Null
            $zip = Join-Path $out "LguestPS-$($manifest.ModuleVersion).zip"
            Compress-Archive -Path $moduleDir -DestinationPath $zip -Force
            Write-Host "package: $zip (unpack into a folder on `$env:PSModulePath)"
        }
    }
}
