using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Cli;

/// <summary>A user as /etc/passwd and /etc/group describe it: ids and every group it belongs to.</summary>
public sealed record UserIds(string Name, uint Uid, uint Gid, IReadOnlyList<uint> Groups);
