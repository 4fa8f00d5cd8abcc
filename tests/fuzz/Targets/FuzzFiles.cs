using System.Text;

namespace LguestPS.Fuzz;

/// <summary>Where targets keep the files they need (tmpfs when there is one: no disk I/O per execution).</summary>
public static class FuzzFiles
{
    public static string Dir { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>truncate(2): no .NET FileStream, whose flock would meet the engine's.</summary>
    public static unsafe void Truncate(string path, long length)
    {
        byte[] p = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pp = p)
            if (Tmds.Linux.LibC.truncate(pp, length) != 0) throw new IOException($"truncate {path} failed");
    }
}
