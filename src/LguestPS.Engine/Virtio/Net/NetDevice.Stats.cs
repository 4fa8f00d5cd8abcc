using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Virtio.Net;

/*
 * What went through, and what did not. A frame we cannot deliver is dropped
 * and counted, never fatal: the first drop of each kind is a warning (a
 * driver that posts bad chains should hear about it once), later ones are
 * verbose at powers of two so a flood cannot flood the log. Messages are
 * built only when they are written.
 */
public sealed partial class NetDevice
{
    private long _txPackets, _txDropped, _rxPackets, _rxDropped, _malformed;

    /// <summary>Frames written to the tap.</summary>
    public long TxPackets => Interlocked.Read(ref _txPackets);
    /// <summary>Transmit chains that did not reach the tap (malformed, oversize, refused by the kernel).</summary>
    public long TxDropped => Interlocked.Read(ref _txDropped);
    /// <summary>Frames delivered into the guest's buffers.</summary>
    public long RxPackets => Interlocked.Read(ref _rxPackets);
    /// <summary>Frames read from the tap that no buffer could hold.</summary>
    public long RxDropped => Interlocked.Read(ref _rxDropped);
    /// <summary>Chains whose shape broke §5.1.6 (too short for the header, wrong direction); included in the drops.</summary>
    public long MalformedChains => Interlocked.Read(ref _malformed);

    /// <summary>A chain broke §5.1.6's rules of shape: counted (and reported) as such.</summary>
    private void Malformed(string format, long arg = 0) => Count(ref _malformed, format, arg);

    /// <param name="format">What happened; {0} stands for <paramref name="arg"/>.</param>
    private void Count(ref long counter, string format, long arg = 0)
    {
        long n = Interlocked.Increment(ref counter);
        bool first = n == 1;
        if (!first && !(Log.IsVerbose && (n & (n - 1)) == 0)) return;
        string what = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, arg);
        string msg = $"net {_tap.Name}: {what}{(first ? "" : $" ({n} so far)")}";
        if (first) Log.Warning(msg);
        else Log.Verbose(msg);
    }
}
