#Requires -Version 7.2
# The module folder as a user imports it: manifest, commands and help.

BeforeDiscovery {
    # Every cmdlet has its page in docs/cmdlets: the pages are the list, so a new cmdlet is checked here at once.
    $cmdlets = @(Get-ChildItem (Join-Path $PSScriptRoot '../../docs/cmdlets') -Filter '*-*.md' | ForEach-Object BaseName | Sort-Object)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
}

Describe 'The module' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest $manifest
        $info.CompatiblePSEditions | Should -Be 'Core'
        $info.Description | Should -Not -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets docs/cmdlets documents' -ForEach @{ Expected = $cmdlets } {
        (Get-Command -Module LguestPS).Name | Sort-Object | Should -Be $Expected
    }

    It 'has full help for <_>' -ForEach $cmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Examples.Example.Count | Should -BeGreaterThan 0
        foreach ($p in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters }) {
            ($help.Parameters.Parameter | Where-Object Name -eq $p).Description | Should -Not -BeNullOrEmpty -Because "-$p is documented"
        }
        # What a user reads at the prompt: the rendered text, with its sections.
        $text = $help | Out-String
        $text | Should -Match 'SYNOPSIS'
        $text | Should -Match 'PARAMETERS'
    }

    It 'tells how each parameter of <_> takes pipeline input, and its aliases, as the cmdlet does' -ForEach $cmdlets {
        # A table binds by property name only where the help says so (Import-Csv | ...): the help is checked against the binder.
        $help = Get-Help $_ -Full
        foreach ($p in (Get-Command $_).Parameters.Values | Where-Object Name -notin ([System.Management.Automation.Cmdlet]::CommonParameters + 'WhatIf', 'Confirm')) {
            $binding = $p.Attributes | Where-Object { $_ -is [Parameter] }
            $expected = @(if ($binding.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' }
                          if ($binding.ValueFromPipeline -contains $true) { 'ByValue' })
            $documented = $help.Parameters.Parameter | Where-Object Name -eq $p.Name
            $said = if ($expected) { "True ($($expected -join ', '))" } else { 'False' }
            $documented.pipelineInput | Should -Be $said -Because "-$($p.Name)'s 'Accept pipeline input'"
            $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
            $documented.aliases | Should -Be $aliases -Because "-$($p.Name)'s aliases"
        }
    }
}
