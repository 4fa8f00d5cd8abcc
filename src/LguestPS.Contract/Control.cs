namespace LguestPS.Contract;

/*
 * The control channel: how whoever started an engine (the module) works a
 * running VM. The engine listens on the path given with --control, a unix
 * socket of type SOCK_SEQPACKET (each send is one whole message, so a
 * request can never be half-read or run into the next), mode 0600, and
 * serves only peers with the engine's own user id (SO_PEERCRED).
 *
 * A request is one message, at most MaxMessage bytes, holding one JSON
 * object: {"op": "<op>"}. The reply is one message too: {"ok": true}, or
 * {"ok": false, "error": "<what was wrong>"}. A client may send any number
 * of requests on one connection, one reply each, in order. docs/engine.md
 * ("Control channel") says the same for people, and a test holds the two
 * equal.
 */
public static class Control
{
    /// <summary>The largest request or reply, in bytes; a longer request is refused whole.</summary>
    public const int MaxMessage = 4096;

    /// <summary>The request's field: which operation.</summary>
    public const string Op = "op";

    /// <summary>The reply's fields: true when the operation was done, else why not.</summary>
    public const string Ok = "ok", Error = "error";

    /// <summary>The operations, the words of <see cref="Op"/>.</summary>
    public static class Ops
    {
        /// <summary>Presses the ACPI power button (the GED's event): an ACPI guest shuts itself down.</summary>
        public const string PowerButton = "power-button";
        /// <summary>Types Ctrl+Alt+Del on the PS/2 keyboard (scancodes, then IRQ 1): Linux signals init.</summary>
        public const string CtrlAltDel = "ctrl-alt-del";
        /// <summary>Stops every vCPU and the guest's clock: the guest is frozen until resume.</summary>
        public const string Pause = "pause";
        /// <summary>Runs a paused guest again, its clock taking up where it stopped.</summary>
        public const string Resume = "resume";

        /// <summary>Every operation, in the order docs/engine.md lists them.</summary>
        public static readonly string[] All = { PowerButton, CtrlAltDel, Pause, Resume };
    }
}
