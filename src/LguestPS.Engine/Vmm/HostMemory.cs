using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Vmm;

/// <summary>Refuses guest RAM the host could never back, before we map a byte of it.</summary>
public static class HostMemory
{
    public static void CheckFits(ulong memoryMiB)
    {
        ulong available = AvailableMiB();
        if (available > 0 && memoryMiB > available)
            throw new EngineException(ErrorId.MemoryTooLarge,
                $"the guest asks for {memoryMiB} MiB but this host has only {available} MiB of RAM and swap; ask for less");
    }

    /// <summary>This process's peak resident set (VmHWM), in KiB (0 if unknown).</summary>
    public static ulong PeakRssKiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>MemTotal + SwapTotal from /proc/meminfo, in MiB (0 if unknown).</summary>
    public static ulong AvailableMiB()
    {
        try
        {
            ulong kib = 0;
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal) || line.StartsWith("SwapTotal:", StringComparison.Ordinal))
                    kib += ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            return kib / 1024;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 0; }
    }
}
