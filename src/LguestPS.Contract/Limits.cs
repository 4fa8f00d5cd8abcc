namespace LguestPS.Contract;

/// <summary>What the engine accepts, so a client can refuse the rest before it starts one (docs/engine.md, "Limits").</summary>
public static class Limits
{
    /// <summary>
    /// vCPUs per VM. vCPU i has local APIC id i and ACPI processor UID i; both are one byte in the MP table
    /// and the MADT, 0xFF is the broadcast id (and the MADT's "every processor" UID), and without x2APIC an
    /// interrupt can reach only ids below it. 254 keeps one id to spare, which the IOAPIC takes while its
    /// 4-bit ID register can hold it. KVM may allow fewer (checked at start: KVM_CAP_MAX_VCPUS).
    /// </summary>
    public const int MaxCpus = 254;

    /// <summary>Guest RAM, in MiB: a positive number (whether the kernel fits is the engine's check at start).</summary>
    public const int MinMemoryMiB = 1;

    /// <summary>4 TiB of guest RAM, in MiB: beyond what KVM lets one VM map on x86 hosts today.</summary>
    public const int MaxMemoryMiB = 4 * 1024 * 1024;

    /// <summary>
    /// Devices besides the console: PCI bus 0 has 32 slots, the host bridge takes slot 0, the console
    /// slot 1 and the pvpanic device the one after the last virtio device, which leaves 29 for disks,
    /// the rng and networks.
    /// </summary>
    public const int MaxDevices = 29;

    /// <summary>A disk image is a whole number of sectors of this many bytes (virtio 1.x, 5.2.4: capacity is in 512-byte sectors).</summary>
    public const int SectorSize = 512;
}
