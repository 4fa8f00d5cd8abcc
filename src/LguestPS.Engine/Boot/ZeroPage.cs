namespace LguestPS.Engine.Boot;

/*L:130
 * The zero page: struct boot_params, one 4 KiB page that tells a freshly
 * started kernel everything a PC BIOS and boot loader would have told it. It
 * is called the zero page because it once lived at physical address 0.
 *
 * The offsets below are those of arch/x86/include/uapi/asm/bootparam.h and
 * Documentation/arch/x86/boot.rst ("The Real-Mode Kernel Header"). The setup
 * header (struct setup_header, "hdr") sits at 0x1F1 both in a bzImage file
 * and in boot_params, so one set of offsets serves for reading the file and
 * for writing the page. Everything we do not name here stays zero, as the
 * 64-bit boot protocol asks: "initialized to all zero".
 */
public static class ZeroPage
{
    public const int Size = 0x1000;

    // struct boot_params, outside the setup header.
    public const int AcpiRsdpAddr = 0x070;      // acpi_rsdp_addr (u64): where the RSDP is, so the kernel need not scan
    public const int ExtRamdiskImage = 0x0C0;   // ext_ramdisk_image: bits 63..32 of ramdisk_image
    public const int ExtRamdiskSize = 0x0C4;    // ext_ramdisk_size
    public const int ExtCmdLinePtr = 0x0C8;     // ext_cmd_line_ptr
    public const int E820Entries = 0x1E8;       // e820_entries (u8)
    public const int Sentinel = 0x1EF;          // sentinel: non-zero means "loader copied junk", kernel scrubs
    public const int E820Table = 0x2D0;         // e820_table[E820_MAX_ENTRIES_ZEROPAGE]
    public const int E820Max = 128;
    public const int E820EntrySize = 20;        // struct boot_e820_entry { u64 addr; u64 size; u32 type; } packed

    // struct setup_header, at the same offsets in the file and in boot_params.
    public const int Hdr = 0x1F1;
    public const int SetupSects = 0x1F1;        // u8, 0 means 4
    public const int SysSize = 0x1F4;           // u32, 16-byte paragraphs of protected-mode code
    public const int BootFlag = 0x1FE;          // u16, 0xAA55
    public const int Jump = 0x200;              // u16, 0xEB xx: the header ends at 0x202 + xx
    public const int Header = 0x202;            // u32, "HdrS"
    public const int Version = 0x206;           // u16, boot protocol version
    public const int TypeOfLoader = 0x210;      // u8, write
    public const int LoadFlags = 0x211;         // u8, modify
    public const int Code32Start = 0x214;       // u32, modify (reloc)
    public const int RamdiskImage = 0x218;      // u32, write
    public const int RamdiskSize = 0x21C;       // u32, write
    public const int HeapEndPtr = 0x224;        // u16, write
    public const int CmdLinePtr = 0x228;        // u32, write
    public const int InitrdAddrMax = 0x22C;     // u32, read (2.03+)
    public const int KernelAlignment = 0x230;   // u32, read (2.05+)
    public const int RelocatableKernel = 0x234; // u8, read (2.05+)
    public const int MinAlignment = 0x235;      // u8, read (2.10+)
    public const int XLoadFlags = 0x236;        // u16, read (2.12+)
    public const int CmdlineSize = 0x238;       // u32, read (2.06+)
    public const int HardwareSubarch = 0x23C;   // u32, write (2.07+)
    public const int PrefAddress = 0x258;       // u64, read (2.10+)
    public const int InitSize = 0x260;          // u32, read (2.10+)

    /// <summary>First byte after the setup header's room in boot_params (edd_mbr_sig_buffer starts here).</summary>
    public const int HdrLimit = 0x290;

    /// <summary>"HdrS", little-endian.</summary>
    public const uint HdrSMagic = 0x53726448;
    public const ushort BootFlagMagic = 0xAA55;

    // loadflags
    public const byte LoadedHigh = 1 << 0;
    public const byte CanUseHeap = 1 << 7;
    // xloadflags
    public const ushort XlfKernel64 = 1 << 0;

    /// <summary>type_of_loader 0xFF: "undefined" loader, the value the protocol offers those without an assigned id.</summary>
    public const byte LoaderUndefined = 0xFF;

    // e820 types
    public const uint E820Ram = 1;
    public const uint E820Reserved = 2;
}
