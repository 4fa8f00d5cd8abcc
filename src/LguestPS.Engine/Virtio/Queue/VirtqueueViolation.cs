namespace LguestPS.Engine.Virtio.Queue;

/*L:420
 * The one way a queue says "this driver is broken". Every number we took from
 * the guest and refused ends here, with the rule it broke and the numbers that
 * broke it. The transport catches it, puts the device into DEVICE_NEEDS_RESET
 * and logs "<device> queue <n>: <message>"; the queue itself refuses to pop
 * anything more until it is reset. Nothing else a guest writes into a ring can
 * make the queue throw.
 */
public sealed class VirtqueueViolation(VqRule rule, string detail)
    : Exception($"{Describe(rule)} ({detail})")
{
    public VqRule Rule { get; } = rule;
    public string Detail { get; } = detail;

    public static string Describe(VqRule rule) => rule switch
    {
        VqRule.QueueSize => "queue size must be a power of 2 no larger than the device offers",
        VqRule.RingAlignment => "ring part misaligned",
        VqRule.RingOutsideRam => "ring outside guest RAM",
        VqRule.ConfigWhileEnabled => "queue configured while enabled",
        VqRule.AvailIndexJump => "available index jumped more than the queue size",
        VqRule.HeadOutOfRange => "available ring names a descriptor outside the table",
        VqRule.NextOutOfRange => "descriptor next outside its table",
        VqRule.ChainLoop => "looped descriptor chain",
        VqRule.ChainTooLong => "descriptor chain longer than the queue",
        VqRule.ChainTooManyBytes => "descriptor chain of 4 GiB or more",
        VqRule.BufferOutsideRam => "buffer outside guest RAM",
        VqRule.ReadableAfterWritable => "device-readable descriptor after a device-writable one",
        VqRule.IndirectNotNegotiated => "indirect descriptor without VIRTIO_F_INDIRECT_DESC",
        VqRule.IndirectWithNext => "indirect descriptor with NEXT set",
        VqRule.NestedIndirect => "indirect descriptor inside an indirect table",
        VqRule.IndirectTableSize => "indirect table size invalid",
        VqRule.IndirectTableOutsideRam => "indirect table outside guest RAM",
        _ => "unknown rule",
    };
}
