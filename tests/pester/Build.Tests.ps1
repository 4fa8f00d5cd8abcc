#Requires -Version 7.2
<#
    The set-up and the build scripts as users run them: ./build.sh deps on a
    machine that lacks a package, as a user through sudo, and with a broken
    package list; ./build.ps1's Clean, Build, Docs and Package into a folder
    of their own (out/ stays untouched: other specs use it), and the package
    unpacked onto $env:PSModulePath.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    $packages = @(Get-Content (Join-Path $root 'build' 'packages.txt') | ForEach-Object { ($_ -replace '#.*').Trim() } | Where-Object { $_ })

    function New-PathFarm {
        <#
            A PATH of symbolic links to the usual folders' programs, without the
            ones named, with shims in place of others: what a fresh machine looks
            like to build.sh, without removing anything from this one.
        #>
        param([string] $Dir, [string[]] $Without = @(), [hashtable] $Shims = @{})
        New-Item -ItemType Directory -Force $Dir | Out-Null
        foreach ($folder in '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', $dotnetTools) {
            # .NET, not the item cmdlets: /usr/bin has a program named '[', a wildcard to them.
            foreach ($f in Get-ChildItem -Path $folder -ErrorAction Ignore) {
                $link = [IO.Path]::Join($Dir, $f.Name)
                if ($f.Name -in $Without -or (Test-Path -LiteralPath $link)) { continue }
                [IO.File]::CreateSymbolicLink($link, $f.FullName) | Out-Null
            }
        }
        foreach ($name in $Shims.Keys) {
            Remove-Item (Join-Path $Dir $name) -ErrorAction Ignore
            Set-Content -Path (Join-Path $Dir $name) -Value "#!/bin/sh`n$($Shims[$name])`n"
            chmod +x (Join-Path $Dir $name)
        }
        $Dir
    }

    function Skip-WithoutRoot {
        if ([Environment]::UserName -ne 'root') { Set-ItResult -Skipped -Because 'installing Debian packages needs root here (this spec does not type a sudo password)' }
    }
}

Describe './build.sh deps' {
    BeforeAll {
        $scratch = New-ScratchDirectory
        $aptLog = Join-Path $scratch 'apt.log'
        # apt-get as seen through the farm: logged, then the real one.
        $aptShim = "echo `"apt-get `$*`" >>'$aptLog'; exec /usr/bin/apt-get `"`$@`""
    }

    AfterAll {
        Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
    }

    It 'succeeds on a machine without cpio, installing the whole package list, pwsh and Pester' {
        Skip-WithoutRoot
        $farm = New-PathFarm (Join-Path $scratch 'fresh') -Without 'cpio' -Shims @{ 'apt-get' = $aptShim }
        $run = Invoke-Logged -Command @('env', "PATH=$farm", './build.sh', 'deps') -TimeoutSeconds 900
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $install = Get-Content $aptLog | Where-Object { $_ -match '\binstall\b' } | Select-Object -Last 1
        $install | Should -Not -BeNullOrEmpty -Because 'apt-get install runs every time, even when nothing is missing'
        foreach ($p in $packages) { " $install " | Should -Match " $([regex]::Escape($p)) " }
        (& (Join-Path $dotnetTools 'pwsh') -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') | Should -Be '7.6.10'
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget' 'packages' }
        Join-Path $nuget 'pester' '5.7.1' 'tools' 'Pester.psd1' | Should -Exist
    }

    It 'runs apt-get through sudo for a user who is not root, and nothing else through sudo' {
        Skip-WithoutRoot
        $sudoLog = Join-Path $scratch 'sudo.log'
        $farm = New-PathFarm (Join-Path $scratch 'user') -Shims @{
            # A user (uid 1000) as far as build.sh can tell; sudo that logs and runs the command (we are root).
            'id'   = 'if [ "$1" = -u ]; then echo 1000; else exec /usr/bin/id "$@"; fi'
            'sudo' = "echo `"`$*`" >>'$sudoLog'; exec `"`$@`""
        }
        $run = Invoke-Logged -Command @('env', "PATH=$farm", './build.sh', 'deps') -TimeoutSeconds 900
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $viaSudo = @(Get-Content $sudoLog)
        $viaSudo | Should -Not -BeNullOrEmpty
        $viaSudo | ForEach-Object { $_ | Should -Match '^env DEBIAN_FRONTEND=noninteractive apt-get ' }
    }

    It 'fails, saying which package, when a line of the package list is broken' {
        Skip-WithoutRoot
        # A copy of the set-up with one bad line: the same scripts, run the same way.
        $copy = Join-Path $scratch 'broken'
        New-Item -ItemType Directory (Join-Path $copy 'build') | Out-Null
        Copy-Item (Join-Path $root 'build.sh') $copy
        Copy-Item (Join-Path $root 'build' 'apt-install.sh'), (Join-Path $root 'build' 'packages.txt') (Join-Path $copy 'build')
        Copy-Item -Recurse (Join-Path $root 'build' 'pester') (Join-Path $copy 'build')
        Add-Content (Join-Path $copy 'build' 'packages.txt') 'lguestps-no-such-package   # the broken line'
        $run = Invoke-Logged -Command @('./build.sh', 'deps') -WorkingDirectory $copy -TimeoutSeconds 900
        $run.ExitCode | Should -Not -Be 0
        $run.Output | Should -Match 'lguestps-no-such-package'
        $run.Output | Should -Match 'apt-install\.sh: apt-get install .* failed'
    }
}

Describe './build.ps1 Clean, Build, Docs and Package' {
    BeforeAll {
        $scratch = New-ScratchDirectory
        $output = Join-Path $scratch 'out'
        # Left by an earlier build (must go), and someone else's file in the same folder (must stay).
        New-Item -ItemType Directory -Force (Join-Path $output 'LguestPS') | Out-Null
        Set-Content (Join-Path $output 'LguestPS' 'stale.txt') 'from an earlier build'
        Set-Content (Join-Path $output 'notes.txt') 'not the build''s'
        $run = Invoke-Logged -Command @($pwsh, '-NoProfile', '-NonInteractive', '-Command',
            "./build.ps1 -Task Clean, Build, Docs, Package -OutputPath '$output'") -TimeoutSeconds 1200
        $module = Join-Path $output 'LguestPS'
    }

    AfterAll {
        Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
    }

    It 'succeeds' {
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match '== Clean'
        $run.Output | Should -Match '== Package'
    }

    It 'cleans what an earlier build left, and only that' {
        Join-Path $module 'stale.txt' | Should -Not -Exist
        Join-Path $output 'notes.txt' | Should -Exist
    }

    It 'assembles a module folder with every dependency, the help and the engine' {
        foreach ($file in 'LguestPS.psd1', 'LguestPS.format.ps1xml', 'LguestPS.types.ps1xml', 'LguestPS.Module.dll', 'en-US/LguestPS.Module.dll-Help.xml', 'en-US/about_LguestPS.help.txt', 'bin/lguest') {
            Join-Path $module $file | Should -Exist
        }
        # Every run-time assembly the module's dependency graph names is in the folder beside it.
        $deps = Get-Content -Raw (Join-Path $module 'LguestPS.Module.deps.json') | ConvertFrom-Json -AsHashtable
        foreach ($library in $deps.targets.Values.Values) {
            foreach ($assembly in $library.runtime.Keys) { Join-Path $module (Split-Path -Leaf $assembly) | Should -Exist }
        }
        (Get-Item (Join-Path $module 'bin' 'lguest')).UnixMode | Should -Match '^-rwx'
    }

    It 'packages a zip that works unpacked into a folder on $env:PSModulePath' {
        $zip = @(Get-ChildItem (Join-Path $output 'LguestPS-*.zip'))
        $zip | Should -HaveCount 1
        $modules = Join-Path $scratch 'modules'
        Expand-Archive -Path $zip[0].FullName -DestinationPath $modules
        # Imported by name, as an installed module, in a new pwsh; the engine it carries must run: it starts,
        # and then boots the guest where /dev/kvm exists, or says that KVM is missing where it does not.
        $script = "Import-Module LguestPS; (Get-Module LguestPS).ModuleBase; (Get-Help New-LguestVm).Synopsis; " +
            "New-LguestVm -MemoryMB 64 -Kernel '$guest' -OnReboot Exit | Start-LguestVm -Wait"
        $run = Invoke-Logged -Command @($pwsh, '-NoProfile', '-NonInteractive', '-Command', $script) `
            -Environment @{ PSModulePath = $modules } -TimeoutSeconds 900
        $run.Output | Should -Match ([regex]::Escape((Join-Path $modules 'LguestPS')))
        $run.Output | Should -Match 'Describes a'
        if ($hasKvm) {
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match 'TESTS DONE passed=\d+ failed=0'
        }
        else {
            $run.Output | Should -Match '/dev/kvm does not exist' -Because "the packaged engine ran: $($run.Output)"
        }
    }
}
