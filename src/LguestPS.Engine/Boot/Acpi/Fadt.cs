using System.Buffers.Binary;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot.Acpi;

/*L:200
 * The Fixed ACPI Description Table, "FACP" (ACPI 6.5, 5.2.9), in its
 * hardware-reduced form (4.1): no PM1 event and control blocks, no GPEs, no
 * PM timer, no SCI, no FACS. What is left is what we need:
 *
 *  - SLEEP_CONTROL_REG and SLEEP_STATUS_REG (4.8.3.7): the guest enters S5,
 *    power off, by writing SLP_TYP (bits 4:2, the value \_S5 gives) with
 *    SLP_EN (bit 5) to the control port. A hardware-reduced OS uses these
 *    or nothing: Linux only offers ACPI power-off when both are present.
 *  - RESET_REG (4.8.3.6) with RESET_VALUE: Linux's default reboot method
 *    tries it first, before the keyboard controller.
 *  - X_DSDT: where the namespace's code is.
 *
 * All three registers are one byte each in I/O space, at Layout.AcpiPorts.
 * The flags say what else is true of the board: a control-method power
 * button (the GED and PNP0C0C in the DSDT), no sleep button, and, in
 * IAPC_BOOT_ARCH, legacy devices (COM1, the RTC) and an 8042 but no VGA.
 */
public static class Fadt
{
    public const int Size = 276; // ACPI 6.0 onwards; Linux reads every field of it
    public const byte Revision = 6, MinorRevision = 5;

    // Flags (Table 5.10).
    public const uint PwrButton = 1 << 4, SlpButton = 1 << 5, ResetRegSup = 1 << 10, HwReducedAcpi = 1 << 20;
    // IA-PC boot architecture flags (Table 5.11).
    public const ushort LegacyDevices = 1 << 0, Has8042 = 1 << 1, VgaNotPresent = 1 << 2;
    // P_LVL2_LAT above 100 and P_LVL3_LAT above 1000 mean "no C2" and "no C3".
    private const ushort NoC2 = 0x0FFF, NoC3 = 0x0FFF;

    private const int DsdtOffset = 40, PLvl2Lat = 96, PLvl3Lat = 98, IapcBootArch = 109, FlagsOffset = 112,
        ResetReg = 116, ResetValue = 128, MinorVersion = 131, XDsdt = 140, SleepControl = 244, SleepStatus = 256,
        HypervisorId = 268;

    public static byte[] Build(ulong dsdtGpa)
    {
        var b = new byte[Size - SdtHeader.Size];
        // Offsets are the spec's (from the table's start); the body starts after the header.
        Span<byte> At(int offset) => b.AsSpan(offset - SdtHeader.Size);

        BinaryPrimitives.WriteUInt32LittleEndian(At(DsdtOffset), checked((uint)dsdtGpa));
        BinaryPrimitives.WriteUInt16LittleEndian(At(PLvl2Lat), NoC2);
        BinaryPrimitives.WriteUInt16LittleEndian(At(PLvl3Lat), NoC3);
        BinaryPrimitives.WriteUInt16LittleEndian(At(IapcBootArch), LegacyDevices | Has8042 | VgaNotPresent);
        BinaryPrimitives.WriteUInt32LittleEndian(At(FlagsOffset), PwrButton | SlpButton | ResetRegSup | HwReducedAcpi);
        IoByte(At(ResetReg), Layout.AcpiReset);
        At(ResetValue)[0] = Layout.AcpiResetValue;
        At(MinorVersion)[0] = MinorRevision;
        BinaryPrimitives.WriteUInt64LittleEndian(At(XDsdt), dsdtGpa);
        IoByte(At(SleepControl), Layout.AcpiSleepControl);
        IoByte(At(SleepStatus), Layout.AcpiSleepStatus);
        "LGUESTPS"u8.CopyTo(At(HypervisorId));
        return SdtHeader.Table("FACP", Revision, b);
    }

    /*
     * A Generic Address Structure (5.2.3.2) for one byte in I/O space:
     * space id 1 (SystemIO), register width 8 bits at bit 0, byte access.
     */
    private static void IoByte(Span<byte> gas, ushort port)
    {
        gas[0] = 1;
        gas[1] = 8;
        gas[2] = 0;
        gas[3] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(gas[4..], port);
    }
}
