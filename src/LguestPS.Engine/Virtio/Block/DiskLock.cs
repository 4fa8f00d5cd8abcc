using LguestPS.Contract;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Virtio.Block;

/*L:560
 * Two VMs writing one disk image is the quickest way to lose it, so a disk
 * is locked while the VM runs, and in a way the other VMMs on the host see.
 * flock(2) alone (what we used to take) is invisible to QEMU, which speaks
 * byte-range locks on the open file (F_OFD_SETLK) instead, one byte per
 * "permission" of its block layer: bit i of the permission mask is byte
 * 100 + i ("I do this") and byte 200 + i ("nobody else may do this"). The
 * two bits that matter between VMs are 0, consistent read, and 1, write.
 * Every lock is a shared (read) lock, so holders of the same byte never
 * conflict with each other; a newcomer *tests* the opposite bytes for
 * anyone else's lock before it starts:
 *
 *   what we hold                  what must be free of others' locks
 *   read+write: 100, 101, 201     200, 201 (nobody forbids reading or writing)
 *                                 101      (nobody else writes)
 *   read only:  100, 201          200      (nobody forbids reading)
 *                                 101      (nobody writes)
 *
 * which is what a QEMU virtio disk takes (measured: a writable drive holds
 * 100-101 and 201, a readonly=on one 100 and 201), so the two refuse each
 * other in both orders exactly as two QEMUs would, and two read-only users
 * share happily. We keep the old flock too (exclusive for a writer, shared
 * for a reader): it costs nothing and keeps older lguests and `flock(1)`
 * scripts in the conversation. Every lock goes with the descriptor.
 */
internal static class DiskLock
{
    private const long PermBase = 100, SharedBase = 200;
    private const int ConsistentRead = 0, Write = 1;

    /// <summary>
    /// Takes the locks for a reader or a writer; false if someone else's locks say no. Whatever was taken
    /// stays with the descriptor, which the caller then closes.
    /// </summary>
    public static bool TryAcquire(SafeFd fd, bool readOnly)
    {
        // Take ours first, then look: of two starting at once, each sees the other and both refuse (never both run).
        bool taken = FileLock.TryLockShared(fd, PermBase + ConsistentRead, 1)
                  && (readOnly || FileLock.TryLockShared(fd, PermBase + Write, 1))
                  && FileLock.TryLockShared(fd, SharedBase + Write, 1);
        bool clear = taken
                  && !FileLock.IsLockedByOthers(fd, SharedBase + ConsistentRead, 1)
                  && (readOnly || !FileLock.IsLockedByOthers(fd, SharedBase + Write, 1))
                  && !FileLock.IsLockedByOthers(fd, PermBase + Write, 1);
        return clear && Sys.TryLock(fd, exclusive: !readOnly);
    }
}
