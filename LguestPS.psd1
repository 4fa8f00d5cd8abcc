@{
    RootModule           = 'LguestPS.Module.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c1b8e-4f7a-4b53-9a51-0d6c2e8b7a41'
    Author               = 'The LguestPS authors'
    CompanyName          = 'LguestPS'
    Copyright            = '(c) The LguestPS authors.'
    Description          = 'Run small Linux virtual machines on KVM from PowerShell. LguestPS is Rusty Russell''s lguest launcher reborn: each VM runs in its own lguest engine process (virtio console, block, tap network and entropy devices), described by a builder pipeline (New-LguestVm | Add-LguestRng | Start-LguestVm) and run as a PowerShell job whose output is the guest''s console, one record per line.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.2'
    FormatsToProcess     = @('LguestPS.format.ps1xml')
    TypesToProcess       = @('LguestPS.types.ps1xml')
    CmdletsToExport      = @(
        'New-LguestVm'
        'Add-LguestBlockDevice'
        'Add-LguestTapNetwork'
        'Add-LguestRng'
        'Start-LguestVm'
        'Get-LguestVm'
        'Stop-LguestVm'
        'Wait-LguestVm'
        'Send-LguestVmConsole'
        'Remove-LguestVm'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('KVM', 'Virtualization', 'VM', 'lguest', 'virtio', 'Linux')
            ReleaseNotes = 'First release: VMs as jobs with the console as records, builder pipeline, pattern waits, typed errors, MAML help.'
        }
    }
}
