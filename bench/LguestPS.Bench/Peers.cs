namespace LguestPS.Bench;

/*
 * The VMMs the benchmarks compare, in one place, each given the same guest
 * image, RAM and kernel command line:
 *   lguest         the engine (Native AOT), PVH-less: it enters the ELF at e_entry in 64-bit mode
 *   qemu-pc        QEMU's pc machine: SeaBIOS first, then the kernel (its PVH option ROM for an ELF)
 *   qemu-microvm   QEMU's microvm machine, no option ROMs, no RTC: the PVH entry straight from QEMU;
 *                  the peer a user picks for fast boots, as Firecracker's users do
 * All exit when the guest reboots (the test guest's last act).
 */
public sealed record Peer(string Name, string Exe, string[] Args)
{
    public const string QemuExe = "qemu-system-x86_64";

    /// <summary>-cpu host without arch-capabilities: nested KVM refuses to set that MSR for some hosts' CPUs.</summary>
    private static readonly string[] QemuCommon = ["-enable-kvm", "-cpu", "host,-arch-capabilities", "-nodefaults", "-no-user-config",
        "-display", "none", "-serial", "stdio", "-no-reboot"];

    public static Peer Lguest(string lguest, int memMiB, string image, string append, params string[] options) =>
        new("lguest", lguest, [.. options, "--on-reboot=exit", $"{memMiB}", image, .. append.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

    public static Peer QemuPc(int memMiB, string image, string append, params string[] devices) =>
        new("qemu-pc", QemuExe, [.. QemuCommon, "-M", "pc", "-m", $"{memMiB}", "-kernel", image, "-append", append, .. devices]);

    public static Peer QemuMicrovm(int memMiB, string image, string append, params string[] devices) =>
        new("qemu-microvm", QemuExe, [.. QemuCommon, "-M", "microvm,x-option-roms=off,isa-serial=on,rtc=off", "-m", $"{memMiB}",
            "-kernel", image, "-append", append, .. devices]);
}
