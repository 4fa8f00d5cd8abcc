namespace LguestPS.Contract;

/*
 * The boot timer, after Firecracker's: one I/O port the guest writes a
 * single agreed byte to when it reaches userspace, so the engine (not a
 * scraper of console text) says how long power-on to userspace took, as
 * the boot-time event. The busybox guest's /init writes it when its kernel
 * command line names the port (KernelArgument); any guest may, and a guest
 * that never writes simply has no boot-time event.
 */
public static class BootTimer
{
    /// <summary>
    /// The port: free on a PC and on QEMU's pc and microvm machines (0x440 is nobody's), so the same
    /// kernel command line gives QEMU's isa-debugcon the byte when bench/linux.sh times the peer.
    /// </summary>
    public const ushort Port = 0x440;

    /// <summary>The byte that means "userspace is up": 123, the value Firecracker's boot timer waits for.</summary>
    public const byte Signal = 123;

    /// <summary>What the busybox guest's /init reads from the kernel command line to learn the port.</summary>
    public const string KernelArgument = "lguestps.boot_timer_port=0x440";
}
