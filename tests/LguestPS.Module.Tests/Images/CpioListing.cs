using System.Text.RegularExpressions;

namespace LguestPS.Module.Tests;

/// <summary>One member of an archive as GNU cpio(1) lists it (cpio -itv), so the archive is judged by another implementation.</summary>
internal sealed record CpioMember(string Mode, string Owner, string Group, long Size, string? Device, string Name, string? Target)
{
    private static readonly Regex Line = new(
        @"^(?<mode>\S{10})\s+\d+\s+(?<owner>\S+)\s+(?<group>\S+)\s+(?:(?<maj>\d+),\s*(?<min>\d+)|(?<size>\d+))\s+\w{3}\s+\d+\s+\S+\s(?<name>.*?)(?: -> (?<target>.*))?$");

    internal static List<CpioMember> List(string archive)
    {
        var r = Tool.Run("cpio", new[] { "-itv", "--quiet" }, stdinFile: archive).Ok();
        return r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            var m = Line.Match(l);
            Assert.True(m.Success, $"cpio listed a line we cannot read: {l}");
            return new CpioMember(m.Groups["mode"].Value, m.Groups["owner"].Value, m.Groups["group"].Value,
                m.Groups["size"].Success ? long.Parse(m.Groups["size"].Value) : 0,
                m.Groups["maj"].Success ? $"{m.Groups["maj"].Value},{m.Groups["min"].Value}" : null,
                m.Groups["name"].Value, m.Groups["target"].Success ? m.Groups["target"].Value : null);
        }).ToList();
    }

    /// <summary>Unpacks the archive into a new folder with cpio -id, as the kernel would unpack it.</summary>
    internal static string Extract(string archive, string into)
    {
        Directory.CreateDirectory(into);
        Tool.Run("cpio", new[] { "-idm", "--quiet", "--no-absolute-filenames" }, stdinFile: archive, workDir: into).Ok();
        return into;
    }
}
