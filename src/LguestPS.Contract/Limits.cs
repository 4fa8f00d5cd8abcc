namespace LguestPS.Contract;

/// <summary>What the engine accepts, so a client can refuse the rest before it starts one (docs/engine.md, "Limits").</summary>
public static class Limits
{
    /// <summary>
    /// vCPUs per VM. The MP table gives each CPU a local APIC id from 0 and the IOAPIC the next one; APIC id
    /// 0xFF is the broadcast address, so 254 CPUs (ids 0-253, the IOAPIC 254) is as far as the ids go.
    /// </summary>
    public const int MaxCpus = 254;

    /// <summary>Guest RAM, in MiB: a positive number (whether the kernel fits is the engine's check at start).</summary>
    public const int MinMemoryMiB = 1;

    /// <summary>4 TiB of guest RAM, in MiB: beyond what KVM lets one VM map on x86 hosts today.</summary>
    public const int MaxMemoryMiB = 4 * 1024 * 1024;

    /// <summary>
    /// Devices besides the console: PCI bus 0 has 32 slots, the host bridge takes slot 0 and the console
    /// slot 1, which leaves 30 for disks, the rng and networks.
    /// </summary>
    public const int MaxDevices = 30;

    /// <summary>A disk image is a whole number of sectors of this many bytes (virtio 1.x, 5.2.4: capacity is in 512-byte sectors).</summary>
    public const int SectorSize = 512;
}
