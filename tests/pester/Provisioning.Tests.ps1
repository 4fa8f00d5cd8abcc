#Requires -Version 7.2
<#
    Pester-tested provisioning: a template to copy.

    It builds a guest from scratch (a busybox userspace with your files on
    top, and a data disk made from a folder), boots it once, provisions it the
    way a script would (commands, files in and out) and checks the result,
    then shuts it down. No agent runs in the guest and it needs no network:
    Invoke-LguestVmCommand and Copy-LguestVmFile talk to the shell on its
    console.

    To use it for your own guest, change the two lines marked "yours" below:
    where the module comes from, and which kernel boots (one with virtio
    console, virtio block, ext4, devtmpfs and script support built in; in
    this repository, the minimal Linux of tests/fixtures/minimal-kernel).
    Run it with Invoke-Pester ./Provisioning.Tests.ps1 -Output Detailed.
#>

BeforeAll {
    # --- yours: the module. In this repository, the folder the build assembles; elsewhere `Import-Module LguestPS`.
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'out' 'LguestPS' 'LguestPS.psd1')

    $script:canRun = Test-Path /dev/kvm
    if (-not $canRun) { return }

    # --- yours: the kernel. In this repository, the fixture script builds it once and prints BZIMAGE=<path>.
    $fixture = Join-Path $PSScriptRoot '..' 'fixtures' 'minimal-kernel' 'build.sh'
    $kernel = (bash $fixture | Select-String '^BZIMAGE=(.+)$').Matches.Groups[1].Value

    # A folder of our own for everything this spec makes; removed in AfterAll.
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "provisioning-$([guid]::NewGuid().ToString('N'))")

    # The guest's root: busybox and its init, our files on top.
    New-Item -ItemType Directory "$work/overlay/etc" | Out-Null
    Set-Content -Path "$work/overlay/etc/motd" -Value 'Provisioned by Pester'
    $initrd = New-LguestInitramfs -Path "$work/guest.cpio" -BusyBox -SourcePath "$work/overlay"

    # A data disk: an ext4 file system made from a folder, no root needed.
    New-Item -ItemType Directory "$work/data" | Out-Null
    Set-Content -Path "$work/data/app.conf" -Value 'port=8080'
    $disk = New-LguestDisk -Path "$work/data.img" -SizeMB 32 -SourcePath "$work/data" -Label data

    $script:vm = New-LguestVm -Name provisioning -MemoryMB 128 -Kernel $kernel -Initrd $initrd.FullName -KernelArguments 'console=ttyS0 rodata=off panic=-1 reboot=k' |
        Add-LguestBlockDevice -Path $disk.FullName
    $script:job = $vm | Start-LguestVm

    # The first command waits for the guest's shell while it boots; -ErrorAction Stop fails the whole file if it never answers.
    Invoke-LguestVmCommand -VM $vm -Command 'true' -Timeout 900 -ErrorAction Stop | Out-Null
}

AfterAll {
    if (-not $canRun) { return }
    $vm | Stop-LguestVm
    $job | Remove-Job
    $vm | Remove-LguestVm
    Remove-Item -Recurse -Force $work
}

Describe 'A provisioned busybox guest' {
    BeforeEach {
        if (-not $canRun) { Set-ItResult -Skipped -Because '/dev/kvm is absent on this host, so no guest can boot here' }
    }

    It 'runs a command and returns its output and exit code' {
        $r = Invoke-LguestVmCommand -VM $vm -Command 'uname -s; id -un'
        $r.Output | Should -Be @('Linux', 'root')
        $r.ExitCode | Should -Be 0
    }

    It 'boots with the files of its initramfs' {
        (Invoke-LguestVmCommand -VM $vm -Command 'cat /etc/motd').Output | Should -Be 'Provisioned by Pester'
    }

    It 'reports a failing step as GuestCommandFailed, with the result to look at' {
        $r = Invoke-LguestVmCommand -VM $vm -Command 'ls /no/such/path' -ErrorVariable failure -ErrorAction SilentlyContinue
        $r.ExitCode | Should -Not -Be 0
        $failure.FullyQualifiedErrorId | Should -BeLike 'GuestCommandFailed,*'
        $failure.TargetObject | Should -Be $r
        { Invoke-LguestVmCommand -VM $vm -Command 'exit 3' -ErrorAction Stop } | Should -Throw -ErrorId 'GuestCommandFailed*'
    }

    It 'runs a provisioning script of several lines' {
        $script = @'
mkdir -p /srv/app
cat > /srv/app/start.sh <<'EOF'
#!/bin/sh
echo "app on port $(cut -d= -f2 /srv/app/app.conf)"
EOF
chmod +x /srv/app/start.sh
echo 'port=9090' > /srv/app/app.conf
'@
        Invoke-LguestVmCommand -VM $vm -Command $script -ErrorAction Stop | Out-Null
        (Invoke-LguestVmCommand -VM $vm -Command '/srv/app/start.sh').Output | Should -Be 'app on port 9090'
    }

    It 'takes a file in and gives it back byte for byte' {
        $bytes = [byte[]]::new(128KB)
        [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        [IO.File]::WriteAllBytes("$work/payload.bin", $bytes)
        $hash = (Get-FileHash "$work/payload.bin" -Algorithm SHA256).Hash.ToLower()

        Copy-LguestVmFile -VM $vm -SourcePath "$work/payload.bin" -DestinationPath /tmp/payload.bin -ErrorAction Stop
        (Invoke-LguestVmCommand -VM $vm -Command 'sha256sum /tmp/payload.bin').Output | Should -Be "$hash  /tmp/payload.bin"

        Copy-LguestVmFile -VM $vm -SourcePath /tmp/payload.bin -DestinationPath "$work/returned.bin" -FromGuest -ErrorAction Stop
        (Get-FileHash "$work/returned.bin" -Algorithm SHA256).Hash.ToLower() | Should -Be $hash
    }

    It 'refuses a copy into a directory that does not exist, and changes nothing' {
        { Copy-LguestVmFile -VM $vm -SourcePath "$work/payload.bin" -DestinationPath /no/such/dir/x -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestDirectoryNotFound*'
    }

    It 'reads the disk New-LguestDisk made' {
        Invoke-LguestVmCommand -VM $vm -Command 'mkdir -p /mnt/data && mount /dev/vda /mnt/data' -ErrorAction Stop | Out-Null
        (Invoke-LguestVmCommand -VM $vm -Command 'cat /mnt/data/app.conf').Output | Should -Be 'port=8080'
    }

    It 'writes to the disk, and the host reads it after the guest is shut down' {
        Invoke-LguestVmCommand -VM $vm -Command 'echo written-in-the-guest > /mnt/data/result.txt && umount /mnt/data' -ErrorAction Stop | Out-Null
        $vm | Stop-LguestVm
        $vm.State | Should -Be 'Off'
        # debugfs (e2fsprogs) reads the image without mounting it.
        debugfs -R 'cat /result.txt' "$work/data.img" 2>$null | Should -Be 'written-in-the-guest'
    }
}
