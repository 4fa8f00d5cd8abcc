namespace LguestPS.Engine.Virtio.Queue;

/// <summary>Which rule of the split-ring format a driver broke (virtio 1.2 §2.7).</summary>
public enum VqRule
{
    /// <summary>Queue size zero, not a power of 2, or above what the device offered (§2.7).</summary>
    QueueSize,
    /// <summary>A ring part not aligned as §2.7's table demands (descriptors 16, avail 2, used 4).</summary>
    RingAlignment,
    /// <summary>A ring part reaches outside guest RAM, or its end wraps around.</summary>
    RingOutsideRam,
    /// <summary>The driver wrote queue configuration while the queue was enabled (§4.1.4.3.2).</summary>
    ConfigWhileEnabled,
    /// <summary>avail->idx moved more than the queue size past the last index we consumed (§2.7.6, §2.7.13).</summary>
    AvailIndexJump,
    /// <summary>The available ring names a head descriptor that is not in the table.</summary>
    HeadOutOfRange,
    /// <summary>A descriptor's <c>next</c> is not in its table (§2.7.5).</summary>
    NextOutOfRange,
    /// <summary>A chain visits more descriptors than its table holds: it loops (§2.7.5.2).</summary>
    ChainLoop,
    /// <summary>A chain has more descriptors than the queue size the device offered (§2.7.5.3.1).</summary>
    ChainTooLong,
    /// <summary>A chain's lengths add up to 4 GiB or more (§2.7.5.2).</summary>
    ChainTooManyBytes,
    /// <summary>A buffer reaches outside guest RAM, or addr + len wraps around.</summary>
    BufferOutsideRam,
    /// <summary>A device-readable descriptor follows a device-writable one (§2.7.4.2).</summary>
    ReadableAfterWritable,
    /// <summary>VIRTQ_DESC_F_INDIRECT used without VIRTIO_F_INDIRECT_DESC negotiated (§2.7.5.3.1).</summary>
    IndirectNotNegotiated,
    /// <summary>VIRTQ_DESC_F_INDIRECT together with VIRTQ_DESC_F_NEXT (§2.7.5.3.1).</summary>
    IndirectWithNext,
    /// <summary>VIRTQ_DESC_F_INDIRECT inside an indirect table (§2.7.5.3.1).</summary>
    NestedIndirect,
    /// <summary>An indirect table of zero bytes, not a multiple of 16, or with more entries than the queue size.</summary>
    IndirectTableSize,
    /// <summary>An indirect table reaches outside guest RAM, or its end wraps around.</summary>
    IndirectTableOutsideRam,
}
