#Requires -Version 7.2
<#
    README.md as a new user follows it: the quick start's command and its
    pwsh block, and the walk-through step by step, each read from the README
    and run exactly as written, checked against what the README says it does.
#>

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Markdown.ps1')
    $readme = Join-Path $PSScriptRoot '..' '..' 'README.md'
    $blocks = Get-MarkdownCodeBlock $readme
    $walkthrough = $blocks | Where-Object { $_.Heading -eq 'A walk-through' -and $_.Language -eq 'powershell' } | Select-Object -First 1
    $steps = @(Split-PowerShellStep $walkthrough.Code | ForEach-Object { @{ Step = $_; Shown = ($_ -replace '\s*\n\s*', ' ') } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    . (Join-Path $PSScriptRoot 'Markdown.ps1')
    $blocks = Get-MarkdownCodeBlock (Join-Path $root 'README.md')
    $quickStart = @($blocks | Where-Object Section -eq 'Quick start')
}

Describe 'The quick start' {
    It 'names ./build.sh demo as its first command, and the pwsh pipeline it runs' {
        $quickStart[0].Language | Should -Be 'sh'
        $quickStart[0].Code | Should -Be './build.sh demo'
        $quickStart[1].Language | Should -Be 'powershell'
        $quickStart[1].Code | Should -Match 'New-LguestVm .*\| Add-LguestRng \| Start-LguestVm -Wait'
        (Get-Content -Raw (Join-Path $root 'build.sh')) | Should -Match ([regex]::Escape(($quickStart[1].Code -split "`n")[-1])) -Because 'the demo runs the pipeline the README shows'
    }

    It 'runs its first command: the test guest boots through the cmdlets in pwsh (or, without /dev/kvm, says why not)' {
        # Exactly as written, from the top of the checkout: it installs, builds, then boots.
        $run = Invoke-Logged -Command @('bash', '-c', $quickStart[0].Code) -TimeoutSeconds 1200
        if ($hasKvm) {
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match '\[\s*\d+\.\d{3}\] TEST virtio-rng: ok'
            $run.Output | Should -Match '\[\s*\d+\.\d{3}\] TESTS DONE passed=\d+ failed=0'
        }
        else {
            # Everything before the boot still happened, and the failure says what is missing.
            $run.ExitCode | Should -Not -Be 0
            $run.Output | Should -Match 'Start-LguestVm: .*/dev/kvm does not exist'
            Test-Path (Join-Path $root 'out' 'LguestPS' 'bin' 'lguest') | Should -BeTrue
            Set-ItResult -Skipped -Because '/dev/kvm is absent on this host: the demo built everything and stopped with a clear error instead of booting'
        }
    }

    It 'runs its pwsh block as written in a new pwsh' {
        Skip-WithoutKvm
        $run = Invoke-Logged -Command @($pwsh, '-NoProfile', '-NonInteractive', '-Command', $quickStart[1].Code) -TimeoutSeconds 900
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match '\[\s*\d+\.\d{3}\] TESTS DONE passed=\d+ failed=0'
    }
}

Describe 'The walk-through' {
    BeforeAll {
        # The steps share one scope, as at a prompt: a dynamic module's, so $job lives from step to step.
        $walk = New-Module -Name LguestPSWalkthrough -ScriptBlock { } 
        Push-Location $root

        # What the README says each step does. Before runs ahead of the step, Check after it ($out: the step's output).
        $checks = @(
            @{ Match = '^\$job = New-LguestVm -Name demo'; Check = {
                $job = & $walk { $job }
                $job.PSJobTypeName | Should -Be 'LguestVmJob'
                $job.VM.Devices.Kind | Should -Be 'Rng'
                $out | Should -BeNullOrEmpty } }
            @{ Match = '^Get-LguestVm\b'; Check = {
                $out.Name | Should -Be 'demo'
                # Start-LguestVm returned once the engine said ready: the VM is running, not starting.
                $out.State | Should -Be 'Running'
                $out.ProcessId | Should -BeGreaterThan 0
                ($out | Out-String -Width 160) | Should -Match 'Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices' } }
            @{ Match = "^Wait-LguestVm -Name demo -Pattern '\^READY serial'"; Check = {
                $out.Text | Should -Be 'READY serial' } }
            @{ Match = "^Send-LguestVmConsole -VMName demo -Text 'hello'"; Check = {
                $out | Should -BeNullOrEmpty } }
            @{ Match = "^Wait-LguestVm -Name demo -Pattern '\^ECHO hello'"; Check = {
                $out.Text | Should -Be 'ECHO hello' } }
            @{ Match = '^Receive-Job \$job -Keep\b'; Check = {
                $out | ForEach-Object { $_ | Should -BeOfType LguestPS.LguestConsoleLine }
                $out.Text | Should -Contain 'READY serial'
                $out.Text | Should -Contain 'ECHO hello' } }
            @{ Match = "^Receive-Job \`$job \| Where-Object \{ \`$_ -match 'FAIL' \}"
               # The filter has the console to look at: the step before kept it in the job.
               Before = { (& $walk { Receive-Job $job -Keep }) | Should -Not -BeNullOrEmpty }
               Check = { $out | Should -BeNullOrEmpty -Because 'no check of the test guest failed' } }
            @{ Match = '^Stop-LguestVm -Name demo'
               Before = { $enginePid = (Get-LguestVm demo).ProcessId }
               Check = {
                   (Get-LguestVm demo).State | Should -Be 'Off'
                   Wait-ProcessGone $enginePid | Should -BeTrue -Because 'nothing is left behind' } }
            @{ Match = '^\$job\.State'; Check = {
                "$out" | Should -Be 'Stopped' } }
            @{ Match = '^Remove-Job \$job; Remove-LguestVm -Name demo'; Check = {
                Get-LguestVm -Name demo -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty } }
        )
    }

    AfterAll {
        Pop-Location
        Remove-LguestState
        Remove-Module LguestPSWalkthrough -ErrorAction Ignore
    }

    It 'is PowerShell that parses' -ForEach @{ All = $steps.Step } {
        $All | Should -Not -BeNullOrEmpty
        foreach ($step in $All) {
            $parseErrors = $null
            [System.Management.Automation.Language.Parser]::ParseInput($step, [ref]$null, [ref]$parseErrors) | Out-Null
            $parseErrors | Should -BeNullOrEmpty -Because $step
        }
    }

    It 'step: <Shown>' -ForEach $steps {
        Skip-WithoutKvm
        $check = @($checks | Where-Object { $Step -match $_.Match })
        $check | Should -HaveCount 1 -Because 'each step of the walk-through has one check here (add it to Readme.Tests.ps1)'
        if ($check[0].Before) { . $check[0].Before }
        $all = . $walk ([scriptblock]::Create($Step)) 2>&1
        $all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        $out = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        . $check[0].Check
    }
}

Describe 'The links of the project''s Markdown' {
    It 'lead to files that exist: <Name>' -ForEach @(
        Get-ChildItem -Path (Join-Path $PSScriptRoot '..' '..') -Filter '*.md' -Recurse -File |
            Where-Object FullName -NotMatch '[\\/](out|bin|obj|node_modules|\.git)[\\/]' |
            ForEach-Object { @{ Name = [IO.Path]::GetRelativePath((Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path, $_.FullName); Path = $_.FullName } }
    ) {
        $dir = Split-Path $Path
        # [text](target): relative targets only (no scheme, no bare #anchor); the #anchor of a file is not checked.
        $targets = [regex]::Matches((Get-Content -Raw $Path), '\]\(([^)\s]+)\)') | ForEach-Object { $_.Groups[1].Value } |
            Where-Object { $_ -notmatch '^([a-z]+:|#)' } | ForEach-Object { ($_ -split '#')[0] }
        $missing = @($targets | Where-Object { -not (Test-Path -LiteralPath (Join-Path $dir ([uri]::UnescapeDataString($_)))) })
        $missing | Should -BeNullOrEmpty -Because "$Name links to files that do not exist"
    }
}
