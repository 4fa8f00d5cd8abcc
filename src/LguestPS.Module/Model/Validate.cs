using System;
using System.IO;
using System.Net.Sockets;
using System.Text;
using LguestPS.Contract;

namespace LguestPS;

/*
 * Checks done when a VM is described (New-LguestVm, Add-Lguest*) rather than
 * when it starts, so a script fails at the line that is wrong. The engine
 * checks everything again at start; these are only the cheap, certain ones.
 */
internal static class Validate
{
    /// <summary>Guest RAM within the engine's limits (LguestPS.Contract.Limits).</summary>
    internal static void Memory(int memoryMB)
    {
        if (memoryMB < Limits.MinMemoryMiB)
            throw LguestErrors.Fail(ErrorId.MemoryTooSmall, $"-MemoryMB {memoryMB} is not a memory size: give the guest's RAM in MiB, e.g. 256.");
        if (memoryMB > Limits.MaxMemoryMiB)
            throw LguestErrors.Fail(ErrorId.MemoryTooLarge, $"-MemoryMB {memoryMB} is more than the engine supports ({Limits.MaxMemoryMiB} MiB).");
    }

    /// <summary>Room on the VM's PCI bus for one more device (LguestPS.Contract.Limits.MaxDevices).</summary>
    internal static void DeviceCount(LguestVm vm)
    {
        if (vm.Devices.Count >= Limits.MaxDevices)
            throw LguestErrors.Fail("TooManyDevices", $"VM '{vm.Name}' already has {vm.Devices.Count} devices, as many as its PCI bus has slots for.");
    }

    /// <summary>The kernel exists, can be read, and starts like an x86 bzImage ("HdrS" at 0x202) or an ELF file.</summary>
    internal static void Kernel(string path)
    {
        byte[] head = ReadHead(path, KernelFile, 0x206);
        bool elf = head.Length >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';
        bool bzImage = head.Length >= 0x206 && Encoding.ASCII.GetString(head, 0x202, 4) == "HdrS";
        if (!elf && !bzImage)
            throw LguestErrors.Fail(ErrorId.KernelInvalid, $"'{path}' is not a kernel: expected an x86-64 bzImage or an ELF vmlinux.");
    }

    internal static void Initrd(string path, int memoryMB)
    {
        ReadHead(path, InitrdFile, 1);
        long size = new FileInfo(path).Length;
        if (size >= (long)memoryMB << 20)
            throw LguestErrors.Fail(ErrorId.InitrdTooLarge, $"The initrd '{path}' ({size >> 20} MiB) does not fit in {memoryMB} MiB of guest RAM: give the VM more -MemoryMB.");
    }

    /// <summary>A disk image: an existing file (or block device) whose size is whole sectors. Returns its size.</summary>
    internal static long BlockFile(string path, bool readOnly)
    {
        if (Directory.Exists(path))
            throw LguestErrors.Fail("BlockDeviceInvalid", $"'{path}' is a directory, not a disk image.");
        if (!File.Exists(path))
            throw LguestErrors.Fail("BlockDeviceNotFound", $"The disk image '{path}' does not exist. Create one first, e.g. truncate -s 64M '{path}'.");
        long size = new FileInfo(path).Length;
        if (size % Limits.SectorSize != 0)
            throw LguestErrors.Fail("BlockDeviceInvalid", $"The disk image '{path}' is {size} bytes, not a whole number of {Limits.SectorSize}-byte sectors.");
        if (!UnixAccess.CanRead(path) || (!readOnly && !UnixAccess.CanWrite(path)))
            throw LguestErrors.Fail(ErrorId.PermissionDenied.Name(),
                $"Cannot {(readOnly || !UnixAccess.CanRead(path) ? "read" : "write")} the disk image '{path}'{(readOnly ? "" : ": add -ReadOnly, or fix its permissions")}.");
        return size;
    }

    /// <summary>The tap's host address must be IPv4, as the engine's --tunnet expects, and a host of its subnet.</summary>
    internal static void TapAddress(System.Net.IPAddress address, int prefixLength)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw LguestErrors.Fail("TapAddressInvalid", $"-IPAddress {address} is not an IPv4 address; the host side of a tap takes an IPv4 address.");
        byte[] b = address.GetAddressBytes();
        uint a = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        uint hostMask = uint.MaxValue >> prefixLength;
        if ((a & hostMask) == 0 || (a & hostMask) == hostMask)
            throw LguestErrors.Fail("TapAddressInvalid",
                $"-IPAddress {address} is the network or broadcast address of its /{prefixLength} subnet: give the host a host address, e.g. {b[0]}.{b[1]}.{b[2]}.1 with /24.");
    }

    internal static void Bridge(string bridge)
    {
        if (bridge.Length > 15 || bridge.IndexOfAny(new[] { '/', ' ', ':' }) >= 0)
            throw LguestErrors.Fail("BridgeNotFound", $"'{bridge}' cannot be the name of a network interface (at most 15 characters, no '/', ':' or spaces): give the bridge's name, as `ip link show type bridge` lists it.");
        if (!Directory.Exists(Path.Combine("/sys/class/net", bridge, "bridge")))
            throw LguestErrors.Fail("BridgeNotFound", $"There is no bridge named '{bridge}' on this host (ip link add {bridge} type bridge creates one).");
    }

    /// <summary>Taps come from /dev/net/tun.</summary>
    internal static void Tun()
    {
        if (!File.Exists("/dev/net/tun"))
            throw LguestErrors.Fail("TapUnavailable", "/dev/net/tun does not exist on this host, so no tap network can be created (modprobe tun).");
    }

    /// <summary>A file New-LguestVm reads the start of, and the errorIds its problems get: the engine's own where it has one.</summary>
    private sealed class FileKind
    {
        internal FileKind(string noun, string notAFile, ErrorId notFound, ErrorId unreadable) =>
            (Noun, NotAFile, NotFound, Unreadable) = (noun, notAFile, notFound.Name(), unreadable.Name());

        internal string Noun { get; }
        internal string NotAFile { get; }
        internal string NotFound { get; }
        internal string Unreadable { get; }
    }

    private static readonly FileKind KernelFile = new("kernel", ErrorId.KernelInvalid.Name(), ErrorId.KernelNotFound, ErrorId.KernelUnreadable);
    private static readonly FileKind InitrdFile = new("initrd", "InitrdInvalid", ErrorId.InitrdNotFound, ErrorId.InitrdUnreadable);

    private static byte[] ReadHead(string path, FileKind kind, int count)
    {
        if (Directory.Exists(path))
            throw LguestErrors.Fail(kind.NotAFile, $"'{path}' is a directory, not a {kind.Noun} file.");
        if (!File.Exists(path))
            throw LguestErrors.Fail(kind.NotFound, $"The {kind.Noun} '{path}' does not exist.");
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[count];
            int n = 0, r;
            while (n < count && (r = f.Read(buffer, n, count - n)) > 0) n += r;
            Array.Resize(ref buffer, n);
            return buffer;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw LguestErrors.Fail(kind.Unreadable, $"Cannot read the {kind.Noun} '{path}': {e.Message}", e);
        }
    }
}
