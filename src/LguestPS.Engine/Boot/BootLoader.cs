using System.Buffers.Binary;
using LguestPS.Contract;
using LguestPS.Engine.Boot.Acpi;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:240
 * Everything comes together here, in the order of the seed's main(): kernel,
 * initrd, the zero page with its memory map and command line; then what a
 * PC's firmware and a 64-bit boot loader would have left lying around: page
 * tables, a GDT, an MP table and the ACPI tables.
 *
 * All the deciding happens before the first byte is written (does it fit,
 * where does the initrd go, is the command line too long), so a refusal
 * leaves guest memory as it was. Everything we own in low memory is cleared
 * before it is written, so a reboot into the same RAM finds no leftovers.
 */
public static class BootLoader
{
    /// <summary>Loads the kernel and initrd and writes what they expect to find; pciIrq(slot) is the board's INTA# wiring, for the MP table.</summary>
    public static BootPlan Load(GuestMemory mem, KernelImage kernel, InitrdImage? initrd, string commandLine, int cpus, Func<int, int> pciIrq)
    {
        if (cpus < 1 || cpus > MpTable.MaxCpus)
            throw new EngineException(ErrorId.InvalidArgument, $"--cpus={cpus}: lguest boots between 1 and {MpTable.MaxCpus} vCPUs");
        kernel.CheckFits(mem.Size);
        byte[] cmdline = EncodeCommandLine(commandLine, kernel.CmdLineMax);
        ulong initrdSize = initrd?.Size ?? 0;
        ulong initrdGpa = initrd is null ? 0
            : InitrdImage.Place(initrdSize, kernel.End, mem.LowSize, kernel.InitrdAddrMax, $"initrd '{initrd.Path}'");
        var e820 = E820.For(mem.Size);

        try
        {
            kernel.LoadInto(mem);
            initrd?.LoadInto(mem, initrdGpa);
            mem.Clear(Layout.Tss, Layout.TssSize); // the zeroed TSS CpuState.Tr points at
            mem.Clear(Layout.Idt, Layout.IdtSize);
            mem.Clear(Layout.BootStackTop - Layout.BootStackSize, Layout.BootStackSize);
            mem.Clear(Layout.CmdLine, Layout.CmdLineMax);
            mem.Write(Layout.CmdLine, cmdline);
            PageTables.Write(mem);
            Gdt.Write(mem);
            MpTable.Write(mem, cpus, pciIrq);
            ulong rsdp = AcpiTables.Write(mem, cpus, pciIrq);
            mem.Write(Layout.BootParams, BuildZeroPage(kernel, initrdGpa, initrdSize, e820, rsdp));
        }
        catch (GuestMemoryException e)
        {
            // Every address above was checked first; reaching here is our bug, not the user's.
            throw new EngineException(ErrorId.InternalError, $"boot loader wrote outside guest RAM: {e.Message}", e);
        }

        return new BootPlan
        {
            Format = kernel.Format,
            Entry = kernel.Entry,
            BootParams = Layout.BootParams,
            KernelStart = kernel.LoadAddress,
            KernelEnd = kernel.End,
            InitrdGpa = initrdGpa,
            InitrdSize = initrdSize,
            CmdLineGpa = Layout.CmdLine,
            CmdLineLength = cmdline.Length - 1,
            Cpus = cpus,
            E820 = e820,
            Cpu = CpuState.LongModeEntry(kernel.Entry, Layout.BootParams),
        };
    }

    /*
     * boot.rst, "The Kernel Command Line": NUL-terminated, at most
     * cmdline_size bytes before the NUL. The kernel would silently truncate a
     * longer one; we say so instead, since a truncated "root=" is a miserable
     * thing to debug. A NUL inside would end it early just as silently.
     */
    internal static byte[] EncodeCommandLine(string commandLine, int max)
    {
        if (commandLine.Contains('\0'))
            throw new EngineException(ErrorId.InvalidArgument, "the kernel command line contains a NUL character, which would end it early; remove it");
        // Byte for byte what the user gave (ByteString): a kernel argument need not be UTF-8.
        byte[] bytes = ByteString.NulTerminated(commandLine);
        int n = bytes.Length - 1;
        if (n > max)
            throw new EngineException(ErrorId.InvalidArgument,
                $"the kernel command line is {n} bytes but this kernel takes at most {max} (its cmdline_size); shorten it");
        return bytes;
    }

    /// <summary>struct boot_params: the kernel's setup header, then our pointers and the e820 map.</summary>
    internal static byte[] BuildZeroPage(KernelImage kernel, ulong initrdGpa, ulong initrdSize, IReadOnlyList<E820Entry> e820, ulong rsdp)
    {
        var zp = new byte[ZeroPage.Size];
        kernel.WriteSetupHeader(zp);
        BinaryPrimitives.WriteUInt64LittleEndian(zp.AsSpan(ZeroPage.AcpiRsdpAddr), rsdp);
        Put32(zp, ZeroPage.CmdLinePtr, ZeroPage.ExtCmdLinePtr, Layout.CmdLine);
        Put32(zp, ZeroPage.RamdiskImage, ZeroPage.ExtRamdiskImage, initrdGpa);
        Put32(zp, ZeroPage.RamdiskSize, ZeroPage.ExtRamdiskSize, initrdSize);

        if (e820.Count > ZeroPage.E820Max)
            throw new EngineException(ErrorId.InternalError, $"e820 map has {e820.Count} entries, more than the zero page holds");
        zp[ZeroPage.E820Entries] = (byte)e820.Count;
        for (int i = 0; i < e820.Count; i++)
        {
            var e = zp.AsSpan(ZeroPage.E820Table + i * ZeroPage.E820EntrySize, ZeroPage.E820EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(e, e820[i].Addr);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], e820[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], e820[i].Type);
        }
        return zp;
    }

    // A 64-bit value split the 2.12 way: low half in the header field, high half in its ext_ twin.
    private static void Put32(byte[] zp, int low, int high, ulong value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(zp.AsSpan(low), (uint)value);
        BinaryPrimitives.WriteUInt32LittleEndian(zp.AsSpan(high), (uint)(value >> 32));
    }
}
