using System.Buffers.Binary;
using System.Text;
using LguestPS.Engine.Tests.Boot;

namespace LguestPS.Fuzz;

/*
 * The seed corpus: for each target a few well-formed inputs that reach deep
 * (a request the device serves, a driver that gets as far as DRIVER_OK, a
 * kernel that loads), for AFL to mutate from. Written by code, so that a
 * change of input format changes the seeds with it (bench/fuzz.sh --seeds).
 */
public static class Seeds
{
    public static IEnumerable<(string Name, byte[] Data)> For(string target) => target switch
    {
        "ring" => Ring(),
        "block" => Block(),
        "net" => Net(),
        "pci" => Pci(),
        "kernel" => Kernel(),
        "cli" => Cli(),
        _ => throw new ArgumentException($"no target '{target}'"),
    };

    private static IEnumerable<(string, byte[])> Ring()
    {
        // size 4, indirect on; a two-descriptor chain (readable, writable) and an indirect one, both published.
        foreach (bool indirect in new[] { false, true })
        {
            var ram = new byte[0x200];
            void Desc(int at, ulong addr, uint len, ushort flags, ushort next)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(ram.AsSpan(at), addr);
                BinaryPrimitives.WriteUInt32LittleEndian(ram.AsSpan(at + 8), len);
                BinaryPrimitives.WriteUInt16LittleEndian(ram.AsSpan(at + 12), flags);
                BinaryPrimitives.WriteUInt16LittleEndian(ram.AsSpan(at + 14), next);
            }
            Desc(0, 0x100, 16, 1, 1);
            Desc(16, 0x110, 32, 2, 0);
            Desc(32, 0x140, 32, 4, 0);           // indirect table at 0x140: two entries
            Desc(0x140, 0x180, 8, 1, 1);
            Desc(0x150, 0x190, 8, 2, 0);
            int avail = 64;                     // 4 descriptors * 16
            BinaryPrimitives.WriteUInt16LittleEndian(ram.AsSpan(avail + 2), (ushort)(indirect ? 2 : 1));
            BinaryPrimitives.WriteUInt16LittleEndian(ram.AsSpan(avail + 4), 0);
            BinaryPrimitives.WriteUInt16LittleEndian(ram.AsSpan(avail + 6), 2);
            yield return ($"chain{(indirect ? "+indirect" : "")}", [2, (byte)(indirect ? 3 : 1), .. ram]);
        }
    }

    private static IEnumerable<(string, byte[])> Block()
    {
        // flags, request count, then per request: shape, type, sector, segment count, (length, direction)...
        yield return ("read", [0, 1, 0, 0, 3, 1, 0x81, 1]);
        yield return ("write-flush-getid", [0, 3, 0, 1, 5, 1, 0x82, 0, 0, 4, 0, 0, 0, 8, 0, 1, 20, 1]);
        yield return ("readonly-write", [1, 1, 0, 1, 2, 1, 0x81, 0]);
        yield return ("shrink", [4, 2, 2, 0, 1, 100, 1, 0x88, 0, 0, 0, 100, 1, 0x88, 1]);
    }

    private static IEnumerable<(string, byte[])> Net()
    {
        var frame = new byte[12 + 42];                                   // virtio_net_hdr_v1, then an ARP request
        frame.AsSpan(12, 6).Fill(0xFF);
        new byte[] { 2, 0, 0, 0, 0, 2, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1 }.CopyTo(frame, 18);
        yield return ("arp-and-rx", [1, 2, 0x00, 0x08, (byte)frame.Length, 0, .. frame, 0x01, 24]);
        yield return ("rx-small", [0, 1, 0x03, 0x40, 0x00]);
    }

    private static IEnumerable<(string, byte[])> Pci()
    {
        var ops = new List<byte>();
        void Common(int reg, uint v) { ops.Add(6); ops.Add((byte)reg); ops.AddRange(BitConverter.GetBytes(v)); }
        void Cfg(int reg, uint v) { ops.Add(0x20); ops.Add((byte)reg); ops.AddRange(BitConverter.GetBytes(v)); }
        Cfg(0x04, 0x6);                         // memory and bus master on
        Common(0x14, 0);                        // reset
        Common(0x14, 1);                        // ACKNOWLEDGE
        Common(0x14, 3);                        // DRIVER
        Common(0x08, 1); Common(0x0C, 1);       // driver_feature_select 1, VERSION_1
        Common(0x14, 0xB);                      // FEATURES_OK
        Common(0x16, 0);                        // queue_select 0
        Common(0x18, 8);                        // queue_size 8
        Common(0x20, 0x1000); Common(0x28, 0x2000); Common(0x30, 0x3000);
        Common(0x1C, 1);                        // queue_enable
        Common(0x14, 0xF);                      // DRIVER_OK
        ops.AddRange([0x23, 0x00, 0x30]);       // a 2-byte doorbell write at 0x3000
        ops.AddRange(BitConverter.GetBytes(0UL));
        yield return ("driver-ok", ops.ToArray());
    }

    private static IEnumerable<(string, byte[])> Kernel()
    {
        yield return ("bzimage", new BzImageBuilder { SetupSects = 1, CodeSize = 0x100, InitSize = 0x10000 }.Build());
        var elf = new ElfBuilder();
        elf.Segments.Add(new ElfBuilder.Seg { Paddr = 0x100_0000, Vaddr = 0xFFFF_FFFF_8100_0000, Data = ElfBuilder.Pattern(0x80, 1), MemSize = 0x1000 });
        yield return ("elf", elf.Build());
    }

    private static IEnumerable<(string, byte[])> Cli()
    {
        string[] lines =
        [
            "--verbose\0--block=disk.img,ro\0--rng\0--cpus=2\064\0vmlinuz\0console=ttyS0",
            "--tunnet=169.254.1.1:02:00:00:00:00:01\0--on-reboot=exit\0--log-format=json\0128\0k\0--\0x",
            "--initrd\0initrd.cpio\0--chroot=/var/empty\0--username=nobody\0--\064\0k",
        ];
        foreach (var (l, i) in lines.Select((l, i) => (l, i))) yield return ($"line{i}", Encoding.UTF8.GetBytes(l));
    }
}
