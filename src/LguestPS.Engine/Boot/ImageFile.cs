using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;

namespace LguestPS.Engine.Boot;

/*L:070
 * Every boot begins with a file the user named: a kernel, perhaps an initrd.
 * Both are opened the same way, and both can fail the same few ways: the path
 * is wrong, we may not read it, or it is a directory or a pipe. Each failure
 * gets its own error id, because "check the path" and "check the permissions"
 * are different advice.
 *
 * We keep the descriptor open until the bytes are in guest RAM and read them
 * with pread straight into the guest's pages: a 14 MiB kernel never passes
 * through a managed array.
 */
internal sealed class ImageFile : IDisposable
{
    public SafeFd Fd { get; }
    public string Path { get; }
    public long Size { get; }
    private readonly string _what;
    private readonly ErrorId _unreadable;

    private ImageFile(SafeFd fd, string path, long size, string what, ErrorId unreadable)
    {
        Fd = fd; Path = path; Size = size; _what = what; _unreadable = unreadable;
    }

    public static ImageFile Open(string path, string what, ErrorId notFound, ErrorId unreadable)
    {
        SafeFd fd;
        try
        {
            // O_NONBLOCK: opening a FIFO must not wait for a writer before we can say it is no image.
            // On a regular file it changes nothing.
            fd = Sys.Open(path, Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_NONBLOCK, what);
        }
        catch (SysException e) when (e.Errno is 2 or 20) // ENOENT, ENOTDIR
        {
            throw new EngineException(notFound, $"{what} '{path}' not found; check the path");
        }
        catch (SysException e)
        {
            throw new EngineException(unreadable, $"cannot open {what} '{path}': {Sys.StrError(e.Errno)}");
        }
        try
        {
            if (!Sys.IsRegularFile(fd))
                throw new EngineException(unreadable, $"{what} '{path}' is not a regular file; give the path of an image file");
            return new ImageFile(fd, path, Sys.FileSize(fd, what), what, unreadable);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Reads [offset, offset+dest.Length) of the file; the caller has checked it lies inside the file.</summary>
    public void Read(long offset, Span<byte> dest)
    {
        try { Sys.PreadExact(Fd, dest, offset); }
        catch (EngineException e) { throw Unreadable(e); }
    }

    /// <summary>Copies [offset, offset+len) of the file to guest-physical gpa.</summary>
    public void ReadInto(GuestMemory mem, long offset, ulong gpa, ulong len)
    {
        try { mem.ReadFile(Fd, offset, gpa, len); }
        catch (EngineException e) { throw Unreadable(e); }
    }

    // A file that shrinks between Open and Load, or an I/O error halfway through.
    private EngineException Unreadable(EngineException e) =>
        new(_unreadable, $"cannot read {_what} '{Path}': {e.Message}; was it changed while lguest was starting?", e);

    public void Dispose() => Fd.Dispose();
}
