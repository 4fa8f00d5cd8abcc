namespace LguestPS.Engine.Platform;

/*
 * The keyboard behind the i8042: a PS/2 (AT) keyboard with nothing on it but
 * the answers Linux's atkbd driver needs to believe in it, and the one chord
 * we ever type. Each command byte gets ACK (0xFA) and, for the few that
 * answer, their answer; a command that takes a parameter (LEDs, typematic
 * rate, scancode set) waits for it and ACKs that too. Replies go through the
 * controller's output buffer, one byte per read.
 *
 * Keys are in scancode set 2, what an AT keyboard sends; the controller
 * translates them to set 1 when its translation bit is on, as Linux leaves
 * it (i8042 CTR bit 6), so both are written down here.
 */
public sealed class PsKeyboard
{
    private const byte Ack = 0xFA, SelfTestPassed = 0xAA, Echo = 0xEE;
    private const byte CmdSetLeds = 0xED, CmdEcho = 0xEE, CmdScancodeSet = 0xF0, CmdGetId = 0xF2, CmdTypematic = 0xF3,
        CmdEnable = 0xF4, CmdDisable = 0xF5, CmdReset = 0xFF;
    private byte? _awaiting; // the command whose parameter comes next

    /// <summary>Whether the keyboard sends keys: off after reset-disable (0xF5) until enable (0xF4).</summary>
    public bool Scanning { get; private set; } = true;

    /// <summary>Ctrl+Alt+Del pressed and released, set 1 (translated).</summary>
    public static readonly byte[] CtrlAltDelSet1 =
        [0x1D, 0x38, 0xE0, 0x53, 0xE0, 0xD3, 0xB8, 0x9D];

    /// <summary>The same in set 2: left Ctrl, left Alt, Delete (E0 71) made, then broken (F0) in reverse.</summary>
    public static readonly byte[] CtrlAltDelSet2 =
        [0x14, 0x11, 0xE0, 0x71, 0xE0, 0xF0, 0x71, 0xF0, 0x11, 0xF0, 0x14];

    /// <summary>A byte the driver wrote to the keyboard; returns what the keyboard answers.</summary>
    public byte[] Command(byte b)
    {
        if (_awaiting is byte cmd)
        {
            _awaiting = null;
            // Scancode set 0 asks which set is in use: always set 2 (translated or not, that is the controller's business).
            return cmd == CmdScancodeSet && b == 0 ? [Ack, 0x02] : [Ack];
        }
        switch (b)
        {
            case CmdSetLeds or CmdScancodeSet or CmdTypematic:
                _awaiting = b;
                return [Ack];
            case CmdEcho:
                return [Echo];
            case CmdGetId:
                return [Ack, 0xAB, 0x83]; // an MF2 keyboard
            case CmdEnable:
                Scanning = true;
                return [Ack];
            case CmdDisable:
                Scanning = false;
                return [Ack];
            case CmdReset:
                Scanning = true;
                return [Ack, SelfTestPassed];
            default:
                return [Ack]; // set-defaults, set-all-keys types and the like: nothing to remember
        }
    }
}
