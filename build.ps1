#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, documents, tests and packages the LguestPS module (for pwsh users).

.DESCRIPTION
    Clean    removes what the steps put into the output folder (out/, or
             -OutputPath), and the folder when that empties it. dotnet's own
             bin/ and obj/ caches stay: every step below is incremental and
             correct without a clean (git clean -xdf is the full one).
    Build    assembles <output>/LguestPS: the module (dotnet publish, with every
             dependency), the manifest and format file, and the Native AOT
             lguest engine (bin/lguest); also builds the test guest.
    Docs     turns docs/cmdlets/*.md (platyPS markdown) into the MAML help
             <output>/LguestPS/en-US/LguestPS.Module.dll-Help.xml.
    Test     runs every test (dotnet test LguestPS.sln, which builds out/ of
             its own), then the Pester specs in tests/pester
             (tests/pester/Invoke-Specs.ps1, with the Pester that
             ./build.sh deps installed); fails if either fails.
    Package  zips the module folder into <output>/LguestPS-<version>.zip,
             ready to unpack into a folder on $env:PSModulePath.

    The steps are targets of build/LguestPS.Layout.proj; ./build.sh build
    runs this script. ./build.sh deps installs pwsh and Pester.

.EXAMPLE
    ./build.ps1
    Build and Docs: the module folder is out/LguestPS; Import-Module ./out/LguestPS/LguestPS.psd1.

.EXAMPLE
    ./build.ps1 -Task Clean, Build, Docs, Test, Package

.EXAMPLE
    ./build.ps1 -Task Clean, Build, Docs, Package -OutputPath /tmp/lguestps
    The module folder and the zip in /tmp/lguestps, leaving out/ alone.
#>
[CmdletBinding()]
param(
    # The steps to run, in this order.
    [ValidateSet('Clean', 'Build', 'Docs', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Docs'),

    # The configuration of the module assembly (the engine is always published Release, Native AOT).
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Where Clean, Build, Docs and Package put the module folder, the engine and the zip.
    # Test always builds and tests out/ (the test projects look for the module there).
    [string] $OutputPath = (Join-Path $PSScriptRoot 'out')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputPath)
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
        dotnet msbuild $layout -restore -nologo -v:m "-t:$($Targets -join ';')" "-p:LguestLayoutConfiguration=$Configuration" "-p:LguestOut=$out/"
    }
}

foreach ($step in 'Clean', 'Build', 'Docs', 'Test', 'Package') {
    if ($step -notin $Task) { continue }
    Write-Host "== $step" -ForegroundColor Cyan
    switch ($step) {
        'Clean' {
            # Only what the steps make: -OutputPath may name a folder that holds other things too.
            foreach ($product in $moduleDir, (Join-Path $out 'engine'), (Join-Path $out 'LguestPS-*.zip')) {
                Remove-Item -Path $product -Recurse -Force -ErrorAction Ignore
            }
            if ((Test-Path $out) -and -not (Get-ChildItem -Force $out)) { Remove-Item $out }
        }
        'Build' {
            Invoke-Layout 'LguestLayoutModule', 'LguestLayoutEngine', 'LguestLayoutGuest'
        }
        'Docs' {
            Invoke-Layout 'LguestLayoutHelp'
        }
        'Test' {
            # Both run even when the first fails: one report of everything that is wrong.
            dotnet test (Join-Path $root 'LguestPS.sln') -nologo
            $dotnetFailed = $LASTEXITCODE -ne 0
            # In a pwsh of its own, like CI: the specs import the module, which this session may hold in another version.
            & (Join-Path $PSHOME 'pwsh') -NoProfile -File (Join-Path $root 'tests' 'pester' 'Invoke-Specs.ps1')
            $pesterFailed = $LASTEXITCODE -ne 0
            if ($dotnetFailed -or $pesterFailed) {
                throw "Tests failed:$(if ($dotnetFailed) { ' dotnet test' })$(if ($pesterFailed) { ' Pester (tests/pester)' })."
            }
        }
        'Package' {
            $manifest = Import-PowerShellDataFile (Join-Path $moduleDir 'LguestPS.psd1')
            foreach ($file in 'LguestPS.Module.dll', 'bin/lguest', 'en-US/LguestPS.Module.dll-Help.xml') {
                if (-not (Test-Path (Join-Path $moduleDir $file))) { throw "$moduleDir/$file is missing: run the Build and Docs steps first." }
            }
            Test-ModuleManifest (Join-Path $moduleDir 'LguestPS.psd1') | Out-Null
            $zip = Join-Path $out "LguestPS-$($manifest.ModuleVersion).zip"
            # ZipFile keeps Unix file modes (Compress-Archive drops them: bin/lguest would unpack not executable),
            # and both Expand-Archive and unzip restore them.
            Remove-Item $zip -ErrorAction Ignore
            [IO.Compression.ZipFile]::CreateFromDirectory($moduleDir, $zip, [IO.Compression.CompressionLevel]::Optimal, $true)
            Write-Host "package: $zip (unpack into a folder on `$env:PSModulePath)"
        }
    }
}
