#Requires -Version 7.2
<#
    Provisioning figures (issue 12), each beside a peer that does the same
    work without our layer, so the ratio is our cost:

    - New-LguestInitramfs -BusyBox against GNU cpio packing the same tree;
    - New-LguestDisk (64 MiB ext4 from a folder) against truncate + mke2fs -d;
    - power-on to the first Invoke-LguestVmCommand result;
    - one command's round trip against the bare console: a line typed with
      Send-LguestVmConsole and its answer awaited with Wait-LguestVm;
    - Copy-LguestVmFile both ways (random 1 MiB, checksums checked), out of
      the guest against the bare console stream of the same base64 text
      (Invoke-LguestVmCommand 'base64 <file>', nothing checked or written).

    Run by bench/provisioning.sh (builds first); needs /dev/kvm and the
    minimal kernel (tests/fixtures/minimal-kernel/build.sh BZIMAGE=).
#>
param(
    [Parameter(Mandatory)] [string] $Kernel,
    [int] $Runs = 5,
    [int] $Boots = 2,
    [int] $CopyKiB = 1024
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'out' 'LguestPS' 'LguestPS.psd1')
$work = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "lgps-bench-$([guid]::NewGuid().ToString('N'))")
Set-Location $work

function Median([double[]] $xs) { $s = $xs | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
function Ms([scriptblock] $block) { $c = [Diagnostics.Stopwatch]::StartNew(); & $block | Out-Null; $c.Elapsed.TotalMilliseconds }
function Report([string] $what, [double[]] $ours, [double[]] $peer, [string] $peerName, [string] $unit = 'ms') {
    $o = Median $ours
    if ($peer) {
        $p = Median $peer
        '{0,-44} {1,9:0.0} {4}   {2,-36} {3,9:0.0} {4}   ratio {5:0.00}' -f $what, $o, $peerName, $p, $unit, ($o / $p)
    } else { '{0,-44} {1,9:0.0} {2}' -f $what, $o, $unit }
}

try {
    "provisioning figures: median of $Runs runs ($Boots boots), $(hostname), $((Get-Date).ToUniversalTime().ToString('u'))"

    # --- images
    New-Item -ItemType Directory overlay/etc, data | Out-Null
    Set-Content overlay/etc/motd 'bench'
    foreach ($i in 1..200) { [IO.File]::WriteAllBytes("$work/data/f$i.bin", [byte[]]::new(16KB)) }
    $initramfs = 1..$Runs | ForEach-Object { Ms { New-LguestInitramfs -Path ./bb.cpio -BusyBox -SourcePath ./overlay -Force } }
    # The peer packs the same tree: unpack ours (the device node needs root, which the harness has).
    New-Item -ItemType Directory tree | Out-Null
    bash -c 'cd tree && cpio -id --quiet < ../bb.cpio'
    $gnu = 1..$Runs | ForEach-Object { Ms { bash -c 'cd tree && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../gnu.cpio' } }
    Report 'New-LguestInitramfs -BusyBox' $initramfs $gnu 'GNU cpio -o -H newc, same tree'
    $disk = 1..$Runs | ForEach-Object { Ms { New-LguestDisk -Path ./d.img -SizeMB 64 -SourcePath ./data -Force } }
    $mke2fs = 1..$Runs | ForEach-Object { Ms { bash -c 'rm -f p.img && truncate -s 64M p.img && /usr/sbin/mke2fs -q -F -t ext4 -d data p.img' } }
    Report 'New-LguestDisk 64 MiB ext4, 200 files' $disk $mke2fs 'truncate + mke2fs -d'

    if (-not (Test-Path /dev/kvm)) { "(no /dev/kvm: the guest figures need KVM)"; return }

    # --- power-on to the first command's result
    $kargs = 'console=ttyS0 rodata=off panic=-1 reboot=k'
    $first = foreach ($b in 1..$Boots) {
        $vm = New-LguestVm -Name "boot$b" -MemoryMB 128 -Kernel $Kernel -Initrd ./bb.cpio -KernelArguments $kargs
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $job = $vm | Start-LguestVm
        Invoke-LguestVmCommand -VM $vm -Command 'true' -Timeout 900 | Out-Null
        $clock.Elapsed.TotalSeconds
        $vm | Stop-LguestVm; $job | Remove-Job; $vm | Remove-LguestVm
    }
    Report 'power-on to first command result' $first $null '' 's'

    $vm = New-LguestVm -Name bench -MemoryMB 256 -Kernel $Kernel -Initrd ./bb.cpio -KernelArguments $kargs
    $job = $vm | Start-LguestVm
    Invoke-LguestVmCommand -VM $vm -Command 'true' -Timeout 900 | Out-Null

    # --- one command's round trip
    $invoke = 1..($Runs * 3) | ForEach-Object { Ms { Invoke-LguestVmCommand -VM $vm -Command 'true' -Timeout 120 } }
    $bare = 1..($Runs * 3) | ForEach-Object {
        $n = $_
        Ms {
            Send-LguestVmConsole -VM $vm -Text "echo rt-`$(($n+1000))"
            Wait-LguestVm -Name bench -Pattern "rt-$($n + 1000)$" -Timeout 120
        }
    }
    Report 'Invoke-LguestVmCommand true, round trip' $invoke $bare 'Send-LguestVmConsole + Wait-LguestVm'
    Invoke-LguestVmCommand -VM $vm -Command 'true' -Timeout 120 | Out-Null # the shell found again

    # --- copies
    $bytes = [byte[]]::new($CopyKiB * 1KB)
    [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    [IO.File]::WriteAllBytes("$work/payload.bin", $bytes)
    $in = 1..3 | ForEach-Object { $CopyKiB / ((Ms { Copy-LguestVmFile -VM $vm -SourcePath ./payload.bin -DestinationPath /tmp/payload.bin -Force -Timeout 1800 }) / 1000) }
    Report "Copy-LguestVmFile in, $CopyKiB KiB" $in $null '' 'KiB/s'
    $out = 1..3 | ForEach-Object { $CopyKiB / ((Ms { Copy-LguestVmFile -VM $vm -SourcePath /tmp/payload.bin -DestinationPath ./back.bin -FromGuest -Force -Timeout 1800 }) / 1000) }
    if ((Get-FileHash ./back.bin).Hash -ne (Get-FileHash ./payload.bin).Hash) { throw 'the file came back different' }
    $stream = 1..3 | ForEach-Object { $CopyKiB / ((Ms { Invoke-LguestVmCommand -VM $vm -Command 'base64 /tmp/payload.bin' -Timeout 1800 }) / 1000) }
    Report "Copy-LguestVmFile out, $CopyKiB KiB" $out $stream 'bare console: base64 of the file' 'KiB/s'

    $vm | Stop-LguestVm; $job | Remove-Job; $vm | Remove-LguestVm
}
finally {
    Set-Location /
    Remove-Item -Recurse -Force $work
}
