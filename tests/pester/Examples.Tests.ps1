#Requires -Version 7.2
<#
    Every example of the help (docs/cmdlets/*.md, which the build turns into
    Get-Help's text) runs as written, in a folder holding the files the
    examples name, and does what its remarks say. Read from the markdown at
    discovery, so a new example is a new test.
#>

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Markdown.ps1')
    $docs = Join-Path $PSScriptRoot '..' '..' 'docs' 'cmdlets'
    $examples = foreach ($file in Get-ChildItem (Join-Path $docs '*.md') | Sort-Object Name) {
        Get-MarkdownCodeBlock $file.FullName | Where-Object { $_.Section -eq 'EXAMPLES' -and $_.Language -eq 'powershell' } |
            Group-Object Heading | ForEach-Object {
                $block = $_.Group[0]
                @{ Cmdlet = $file.BaseName; Title = $block.Heading; Code = $block.Code
                   Boots = $block.Code -match 'Start-LguestVm(?![^\n]*-WhatIf)' }
            }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support.ps1')
    # The files the examples name: real kernels (the test guest), an initrd, two disks.
    $scratch = New-ScratchDirectory
    Copy-Item $guest (Join-Path $scratch 'guest.bzImage')
    Copy-Item $guest (Join-Path $scratch 'vmlinuz')
    [IO.File]::WriteAllBytes((Join-Path $scratch 'initrd.img'), [byte[]]::new(4096))
    New-SparseFile (Join-Path $scratch 'disk.img') 1MB
    New-SparseFile (Join-Path $scratch 'data.img') 1MB
    Push-Location $scratch

    # What each example's remarks promise, checked after it ran: $out is what it wrote to the pipeline.
    # Setup (optional) makes the state an example assumes.
    $promises = @{
        'Add-LguestBlockDevice: Example 1: A VM with a disk' = @{ Check = {
            $disk = (Get-LguestVm db).Devices
            $disk.Kind | Should -Be 'Block'
            $disk.Path | Should -Be (Join-Path $scratch 'disk.img')
            $disk.ReadOnly | Should -BeFalse } }
        'Add-LguestBlockDevice: Example 2: A read-only disk for a VM that already exists' = @{ Check = {
            $disk = (Get-LguestVm ro).Devices
            $disk.Path | Should -Be (Join-Path $scratch 'data.img')
            $disk.ReadOnly | Should -BeTrue } }
        'Add-LguestBlockDevice: Example 3: Disks from a table' = @{ Check = {
            (Get-LguestVm db).Devices.Path | Should -Be (Join-Path $scratch 'disk.img')
            (Get-LguestVm db).Devices.ReadOnly | Should -BeFalse
            (Get-LguestVm web).Devices.Path | Should -Be (Join-Path $scratch 'data.img')
            (Get-LguestVm web).Devices.ReadOnly | Should -BeTrue } }
        'Add-LguestRng: Example 1: The builder pipeline' = @{ Check = {
            $out.Devices.Kind | Should -Be 'Rng' } }
        'Add-LguestRng: Example 2: Preview the change' = @{ Check = {
            $out.Name | Should -Be 'preview' -Because 'the VM is passed on'
            (Get-LguestVm preview).Devices | Should -BeNullOrEmpty -Because '-WhatIf adds nothing' } }
        'Add-LguestTapNetwork: Example 1: A host-to-guest link' = @{ Check = {
            $nic = (Get-LguestVm net1).Devices
            $nic.Kind | Should -Be 'TapNetwork'
            $nic.IPAddress | Should -Match '^169\.254\.10\.1(/\d+)?$' } }
        'Add-LguestTapNetwork: Example 2: A fixed MAC address, as Hyper-V writes it' = @{ Check = {
            $out.MacAddress | Should -Be '52:54:00:12:34:56'
            $out.Kind | Should -Be 'TapNetwork' } }
        'Add-LguestTapNetwork: Example 3: Network devices from a table' = @{ Check = {
            $out.IPAddress | Should -Be @('169.254.1.1', '169.254.2.1')
            $out.PrefixLength | Should -Be @(24, 28)
            $out[0].MacAddress | Should -Be '02:15:5d:00:00:01'
            $out[1].MacAddress | Should -BeNullOrEmpty } }
        'Get-LguestVm: Example 1: All VMs' = @{ Check = {
            $out.Name | Should -Be @('a1', 'a2') } }
        'Get-LguestVm: Example 2: VMs by name' = @{
            Setup = { New-LguestVm -Name db -MemoryMB 64 -Kernel ./vmlinuz | Out-Null }
            Check = { $out.Name | Should -Be 'web1' } }
        'New-LguestVm: Example 1: Describe a VM' = @{ Check = {
            $out.Name | Should -Be 'vmlinuz'
            $out.State | Should -Be 'Off'
            $out.MemoryMB | Should -Be 64 } }
        'New-LguestVm: Example 2: A VM with an initrd, two CPUs and a kernel command line' = @{ Check = {
            $out.Name | Should -Be 'web1'
            $out.MemoryMB | Should -Be 256
            $out.Cpus | Should -Be 2
            $out.Initrd | Should -Be (Join-Path $scratch 'initrd.img')
            $out.KernelArguments | Should -Be 'console=hvc0 quiet'
            $out.OnReboot | Should -Be 'Exit' } }
        'New-LguestVm: Example 3: The builder pipeline' = @{ Check = {
            $out.Name | Should -Be 'builder'
            $out.Devices.Kind | Should -Be @('Rng', 'Block') } }
        'New-LguestVm: Example 4: VMs from a table' = @{ Check = {
            $out.Name | Should -Be @('web-1', 'db-1')
            $out.Cpus | Should -Be @(2, 1)
            $out[0].Initrd | Should -Be (Join-Path $scratch 'initrd.img')
            $out[1].Initrd | Should -BeNullOrEmpty
            $out.OnReboot | Should -Be @('Exit', 'Restart') } }
        'Remove-LguestVm: Example 1: Remove a VM' = @{ Check = {
            Get-LguestVm -Name old -ErrorAction SilentlyContinue | Should -BeNullOrEmpty } }
        'Remove-LguestVm: Example 2: Remove every VM, running or not' = @{
            Setup = {
                New-LguestVm -Name idle -MemoryMB 64 -Kernel ./vmlinuz | Out-Null
                if ($hasKvm) { New-LguestVm -Name busy -MemoryMB 64 -Kernel ./guest.bzImage | Start-LguestVm | Out-Null }
            }
            Check = { Get-LguestVm | Should -BeNullOrEmpty } }
        'Send-LguestVmConsole: Example 1: Type a line and wait for the answer' = @{ Check = {
            $out.Text | Should -Be 'ECHO hello from PowerShell'
            (Get-LguestVm echo).State | Should -Be 'Off' } }
        'Start-LguestVm: Example 1: Boot a guest as a job' = @{ Check = {
            $job.State | Should -Be 'Completed'
            $out.Text | Should -Contain 'TEST virtio-rng: ok'
            $out.Text | Where-Object { $_ -like 'TESTS DONE*' } | Should -Match 'failed=0$' } }
        'Start-LguestVm: Example 2: Stream the console' = @{ Check = {
            $out | Should -Not -BeNullOrEmpty
            $out.Text | ForEach-Object { $_ | Should -Match '^TEST' }
            $out.Text | Where-Object { $_ -like 'TESTS DONE*' } | Should -Match 'failed=0$' } }
        'Start-LguestVm: Example 3: See what would start' = @{ Check = {
            $out | Should -BeNullOrEmpty
            Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty
            (Get-LguestVm dry).State | Should -Be 'Off' } }
        'Start-LguestVm: Example 4: Two guests at once, for at most 20 seconds' = @{ Check = {
            $out.VmName | Sort-Object | Should -Be @('left', 'right')
            (Get-LguestVm left, right).State | Should -Be @('Off', 'Off') } }
        'Start-LguestVm: Example 5: Stop a script whose VM cannot start' = @{ Check = {
            $out | Should -Be 'InvalidArgument,LguestPS.Commands.StartLguestVmCommand'
            Get-Job | Where-Object PSJobTypeName -eq 'LguestVmJob' | Should -BeNullOrEmpty } }
        'Stop-LguestVm: Example 1: Stop a VM' = @{ Check = {
            $out.Name | Should -Be 's1'
            $out.State | Should -Be 'Off' } }
        'Stop-LguestVm: Example 2: See what would stop' = @{
            Setup = { New-LguestVm -Name keep -MemoryMB 64 -Kernel ./vmlinuz | Out-Null }
            Check = { (Get-LguestVm keep).State | Should -Be 'Off' } }
        'Wait-LguestVm: Example 1: Wait for a console line' = @{ Check = {
            $out.Text | Should -Match '^TESTS DONE passed=\d+ failed=0$'
            (Get-LguestVm w1).State | Should -Be 'Off' } }
        'Wait-LguestVm: Example 2: Wait for a VM to end' = @{ Check = {
            $out.Name | Should -Be 'w2'
            $out.State | Should -Be 'Off'
            $out.ExitReason | Should -Be 'reboot' } }
    }
}

AfterAll {
    Pop-Location
    Remove-LguestState
    Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
}

Describe 'The help examples' {
    BeforeEach { Remove-LguestState }

    It 'cover every cmdlet' -ForEach @{ Documented = $examples.Cmdlet } {
        (Get-Command -Module LguestPS).Name | ForEach-Object { $Documented | Should -Contain $_ }
    }

    It '<Cmdlet>: <Title>' -ForEach $examples {
        if ($Boots) { Skip-WithoutKvm }
        $promise = $promises["${Cmdlet}: $Title"]
        if ($promise.Setup) { . $promise.Setup }

        # As a user at the prompt: the example's own scope (so $job = ... stays here), its errors captured.
        $all = . ([scriptblock]::Create($Code)) 2>&1
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $out = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        $errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
        { $out | Out-String } | Should -Not -Throw -Because 'what the example shows renders'

        $promise | Should -Not -BeNullOrEmpty -Because 'each example''s remarks are checked (add its promise to Examples.Tests.ps1)'
        . $promise.Check
    }
}
