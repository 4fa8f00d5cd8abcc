namespace LguestPS.Contract;

/*
 * The JSON events the engine writes on stderr under --log-format=json, one
 * object per line. Every object has Events.EventField (the event's name) and
 * Events.TimeField (seconds since the engine started, a number).
 *
 * One nested class per event: its Name constant is the event's name, every
 * other string constant declared directly in it is one of its fields, and
 * the words a field may hold live in a class nested inside it. That shape is
 * what the docs test reads, so a new event is one line here:
 *     public static class Snapshot { public const string Name = "snapshot"; }
 */
public static class Events
{
    public const string EventField = "event", TimeField = "time";

    /// <summary>The guest is about to run: what it got.</summary>
    public static class Ready
    {
        public const string Name = "ready";
        public const string MemoryMB = "memoryMB", Cpus = "cpus", Kernel = "kernel", Format = "format",
            Cmdline = "cmdline", Devices = "devices", Pvm = "pvm";

        /// <summary>The words of <see cref="Format"/>.</summary>
        public static class Formats { public const string BzImage = "BzImage", Elf = "Elf"; }

        /// <summary>The words of <see cref="Devices"/>: the 8250 UART first, then the virtio functions in PCI slot order.</summary>
        public static class DeviceNames
        {
            public const string Serial = "serial", Console = "console", Block = "block", Rng = "rng", Net = "net",
                PvPanic = "pvpanic";
        }
    }

    /// <summary>The guest rebooted and the engine restarts it (--on-reboot=restart).</summary>
    public static class Reboot
    {
        public const string Name = "reboot";
        public const string Reason = "reason", Count = "count";

        /// <summary>The words of <see cref="Reason"/>.</summary>
        public static class Reasons { public const string Reset = "reset", TripleFault = "triple-fault"; }
    }

    /// <summary>
    /// The guest kernel reported a panic (pvpanic). <see cref="Line"/> is the last console line that
    /// says "Kernel panic" (empty if none did); <see cref="CrashKernel"/> is true when a crash kernel
    /// takes over and the guest runs on, false when the engine stops it (exit reason panic follows).
    /// </summary>
    public static class Panic
    {
        public const string Name = "panic";
        public const string Line = "line", CrashKernel = "crashKernel";
    }

    /// <summary>
    /// Someone asked the guest to shut down (over the control channel): <see cref="Method"/> says how it
    /// was asked. Whether it obeys shows in the exit that follows, or does not.
    /// </summary>
    public static class ShutdownRequested
    {
        public const string Name = "shutdown-requested";
        public const string Method = "method";

        /// <summary>The words of <see cref="Method"/>: the control operation that asked.</summary>
        public static class Methods { public const string PowerButton = Control.Ops.PowerButton, CtrlAltDel = Control.Ops.CtrlAltDel; }
    }

    /// <summary>Every vCPU is stopped and the guest's clock with them (control operation pause).</summary>
    public static class Paused { public const string Name = "paused"; }

    /// <summary>
    /// The guest runs again after a pause; <see cref="PausedSeconds"/> is how long it was frozen, time its
    /// clock did not count.
    /// </summary>
    public static class Resumed
    {
        public const string Name = "resumed";
        public const string PausedSeconds = "pausedSeconds";
    }

    /// <summary>
    /// The guest reached userspace: it wrote <see cref="BootTimer.Signal"/> to <see cref="BootTimer.Port"/>
    /// (once per boot; later writes are ignored). The event's time is engine start to that write.
    /// </summary>
    public static class BootTime
    {
        public const string Name = "boot-time";
        /// <summary>Seconds from this boot's power-on (the vCPUs set running) to the write; a number.</summary>
        public const string FromPowerOn = "fromPowerOn";
        /// <summary>Which boot: 0 for the first, then the reboot event's count.</summary>
        public const string Boot = "boot";
    }

    /// <summary>A failure, with a stable <see cref="ErrorId"/>.</summary>
    public static class Error
    {
        public const string Name = "error";
        public const string Id = "id", Message = "message";
    }

    /// <summary>A diagnostic line (verbose only under --verbose).</summary>
    public static class Log
    {
        public const string Name = "log";
        public const string Level = "level", Message = "message";

        /// <summary>The words of <see cref="Level"/>.</summary>
        public static class Levels { public const string Verbose = "verbose", Warning = "warning"; }
    }

    /// <summary>Why the engine ends: always the last line it writes.</summary>
    public static class Exit
    {
        public const string Name = "exit";
        public const string Reason = "reason", Code = "code", Message = "message";
    }
}
