using LguestPS.Contract;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Virtio.Queue;

namespace LguestPS.Engine.Virtio.Rng;

/*L:520
 * The entropy device (virtio 1.2 section 5.4), kvmtool-small: the driver
 * posts device-writable buffers, we fill them from the host kernel's
 * getrandom() and hand them back. However large the chain the driver built,
 * one request gets at most MaxPerRequest bytes: the used length tells the
 * driver how much it got, and a greedy guest cannot make us drain the
 * host's pool (or our time) in one go.
 */
public sealed class RngDevice : IVirtioDevice, IDeviceStats
{
    public const int MaxPerRequest = 64 * 1024;
    private VirtioContext? _ctx;
    private DescChain? _chain;

    public string Name => Events.Ready.DeviceNames.Rng;
    public VirtioDeviceType Type => VirtioDeviceType.Rng;
    public (byte Class, byte Subclass) PciClass => (0xFF, 0x00);
    public ulong Features => 0;
    public IReadOnlyList<ushort> QueueMaxSizes { get; } = [256];
    public int ConfigSize => 0;
    public void ReadConfig(int offset, Span<byte> data) => data.Clear();
    public void WriteConfig(int offset, ReadOnlySpan<byte> data) { }

    /// <summary>Bytes handed to the guest so far (for --verbose and tests).</summary>
    public long BytesServed => Interlocked.Read(ref _served);
    private long _served;

    public string Stats => $"served {BytesServed} bytes of entropy";

    public void Activate(VirtioContext ctx)
    {
        _ctx = ctx;
        _chain = ctx.Queues[0].NewChain();
    }

    public void Process(int queue)
    {
        if (_ctx is not { } ctx || _chain is not { } chain) return;
        var vq = ctx.Queues[0];
        do
        {
            vq.DisableNotifications();
            while (vq.TryPop(chain))
            {
                int budget = MaxPerRequest;
                while (budget > 0)
                {
                    var span = chain.Writer.GetSpan(budget);
                    if (span.IsEmpty) break;
                    long n = Sys.GetRandom(span);
                    if (n <= 0) break;
                    chain.Writer.Advance((uint)n);
                    budget -= (int)n;
                }
                Interlocked.Add(ref _served, chain.Writer.Written);
                vq.PushUsed(chain);
            }
            if (vq.NeedsInterrupt()) ctx.Interrupt(0);
        } while (vq.EnableNotifications());
    }

    public void Reset()
    {
        _ctx = null;
        _chain = null;
    }
}
