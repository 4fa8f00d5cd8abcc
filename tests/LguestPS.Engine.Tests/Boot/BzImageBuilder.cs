using System.Buffers.Binary;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>
/// Builds a synthetic bzImage: a boot sector and setup sectors with a real setup header at 0x1F1, then
/// protected-mode "code" with a recognisable byte pattern. Defaults mimic a modern relocatable kernel.
/// </summary>
internal sealed class BzImageBuilder
{
    public byte SetupSects = 4;             // as written in the file (0 means 4)
    public ushort BootFlag = 0xAA55;
    public uint Magic = 0x53726448;          // "HdrS"
    public ushort Version = 0x020F;
    public byte JumpOffset = 0x6A;           // header ends at 0x26C, like Linux 6.1
    public byte LoadFlags = 0x01;            // LOADED_HIGH
    public ushort XLoadFlags = 0x03;         // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
    public uint InitrdAddrMax = 0x7FFF_FFFF;
    public uint KernelAlignment = 0x20_0000;
    public bool Relocatable = true;
    public uint CmdlineSize = 2047;
    public ulong PrefAddress = 0x100_0000;
    public uint InitSize = 0x40_0000;
    public int CodeSize = 0x3000;            // bytes of protected-mode code (a multiple of 16)
    public uint? SysSize;                    // overrides CodeSize / 16 in the header
    public int TrailingBytes;                // a signature or padding after the code, as Debian's kernels carry

    public int SetupBytes => ((SetupSects == 0 ? 4 : SetupSects) + 1) * 512;

    public static byte CodeByte(int i) => (byte)(i * 7 + 3);

    public byte[] Build()
    {
        var b = new byte[SetupBytes + CodeSize + TrailingBytes];
        var s = b.AsSpan();
        b[0x1F1] = SetupSects;
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x1F4..], SysSize ?? (uint)(CodeSize / 16));
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x1FA..], 0xFFFF); // vid_mode "normal"
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x1FE..], BootFlag);
        b[0x200] = 0xEB;
        b[0x201] = JumpOffset;
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x202..], Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x206..], Version);
        b[0x211] = LoadFlags;
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x214..], 0x10_0000);   // code32_start
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x224..], 0x5BE0);      // heap_end_ptr as the kernel ships it
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x22C..], InitrdAddrMax);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x230..], KernelAlignment);
        b[0x234] = (byte)(Relocatable ? 1 : 0);
        b[0x235] = 21;
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x236..], XLoadFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x238..], CmdlineSize);
        BinaryPrimitives.WriteUInt64LittleEndian(s[0x258..], PrefAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x260..], InitSize);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x268..], 0x1234);      // kernel_info_offset
        b[0x1EF] = 0xFF;                                                    // sentinel: must not reach boot_params
        for (int i = 0; i < CodeSize; i++) b[SetupBytes + i] = CodeByte(i);
        return b;
    }
}
