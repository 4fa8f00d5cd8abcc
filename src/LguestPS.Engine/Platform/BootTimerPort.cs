using System.Diagnostics;
using LguestPS.Contract;
using LguestPS.Engine.Bus;

namespace LguestPS.Engine.Platform;

/*
 * The boot timer's port (LguestPS.Contract.BootTimer): the guest writes the
 * signal byte once it reaches userspace and we report the time since this
 * boot's power-on. Only the first signal of a boot counts: the guest is
 * hostile, and a loop of writes must cost it exits, never the host a flood
 * of events. Anything else written, and every read, is ignored (reads float
 * high like an empty port).
 */
public sealed class BootTimerPort : IPortDevice
{
    private readonly Action<TimeSpan> _reached;
    private long _powerOn = Stopwatch.GetTimestamp();
    private int _fired;

    /// <param name="reached">Called once, on the vCPU thread that wrote the signal, with the time since power-on.</param>
    public BootTimerPort(Action<TimeSpan> reached) => _reached = reached;

    /// <summary>Marks power-on: the moment the vCPUs are set running.</summary>
    public void PowerOn() => Volatile.Write(ref _powerOn, Stopwatch.GetTimestamp());

    public uint Read(ushort offset, int size) => size == 4 ? 0xFFFF_FFFF : (1u << (size * 8)) - 1;

    public void Write(ushort offset, int size, uint value)
    {
        if (offset != 0 || value != BootTimer.Signal) return;
        if (Interlocked.Exchange(ref _fired, 1) != 0) return;
        _reached(Stopwatch.GetElapsedTime(Volatile.Read(ref _powerOn)));
    }
}
