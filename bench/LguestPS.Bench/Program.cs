using LguestPS.Bench;

/*
 * Benchmarks: lguest against QEMU, same image, same run, with ratios.
 *
 *   boot  <lguest> <test-guest-elf> [runs]            test guest: first serial line, exit, peak RSS; QEMU pc and microvm
 *   linux <lguest> <vmlinux> <initramfs> [runs]       minimal Linux + busybox: spawn to userspace (boot timer), blk probe, shell
 *   rate  <lguest> <test-guest-elf> [n] [rounds] [pwsh psd1]   n VMs at once: all running, all exited, VMs/s; QEMU microvm
 *   footprint <test-guest-elf> <runs> <name>=<lguest>[@VAR=v,...]...   VMM memory beyond guest RAM, engine ready time
 *   blk   <lguest> <test-guest-image> [runs]          disk throughput: sequential MB/s and 4 KiB random-read IOPS
 *   module <lguest> <test-guest-image> [runs]         Start-LguestVm against the engine alone (no QEMU: the module is ours)
 */
int Arg(int i, int dflt) => args.Length > i ? int.Parse(args[i]) : dflt;
switch (args.FirstOrDefault())
{
    case "boot" when args.Length >= 3: return BootBench.Run(args[1], args[2], Arg(3, 10));
    case "linux" when args.Length >= 4: return LinuxBench.Run(args[1], args[2], args[3], Arg(4, 3));
    case "rate" when args.Length >= 3:
        return RateBench.Run(args[1], args[2], Arg(3, 40), Arg(4, 3), args.Length > 6 ? args[5] : null, args.Length > 6 ? args[6] : null);
    case "footprint" when args.Length >= 4: return FootprintBench.Run(args[1], int.Parse(args[2]), args.Skip(3));
    case "blk" when args.Length >= 3: return BlockBench.Run(args[1], args[2], Arg(3, 5), 1024, 20000);
    case "module" when args.Length >= 3: return ModuleBench.Run(args[1], args[2], Arg(3, 5));
    default:
        Console.Error.WriteLine("usage: LguestPS.Bench boot|linux|rate|footprint|blk|module ... (see Program.cs)");
        return 2;
}
