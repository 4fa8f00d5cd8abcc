using LguestPS.Contract;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace LguestPS.Engine.Cli;

/*L:700
 * --chroot and --username, as the seed did them and in the seed's order: once
 * every file, disk, tap and KVM descriptor is open (a reboot rebuilds the VM
 * from descriptors we already hold, so nothing needs reopening), we chroot,
 * then drop groups (initgroups' job: setgroups with the user's supplementary
 * groups), then setresgid, then setresuid, so there is no way back. Both
 * are checked before anything starts, so a typo costs nothing.
 *
 * We read /etc/passwd and /etc/group ourselves: it is what getpwnam does
 * for local users, and it keeps us free of NSS (and of glibc's dlopen
 * tricks) in a statically reasoned Native AOT binary.
 */
public static class PrivilegeDrop
{
    /// <summary>Looks a user up (before any chroot, while /etc is still ours to read).</summary>
    public static UserIds Resolve(string user, string passwd = "/etc/passwd", string group = "/etc/group")
    {
        foreach (var line in ReadLines(passwd))
        {
            var f = line.Split(':');
            if (f.Length < 4 || f[0] != user) continue;
            if (!uint.TryParse(f[2], out uint uid) || !uint.TryParse(f[3], out uint gid)) break;
            var groups = new List<uint> { gid };
            foreach (var g in ReadLines(group))
            {
                var gf = g.Split(':');
                if (gf.Length >= 4 && uint.TryParse(gf[2], out uint id) && gf[3].Split(',').Contains(user) && !groups.Contains(id))
                    groups.Add(id);
            }
            return new UserIds(user, uid, gid, groups);
        }
        throw new EngineException(ErrorId.InvalidArgument, $"--username={user}: no such user in {passwd}");
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try { return File.ReadAllLines(path); }
        catch (IOException) { return []; }
    }

    /// <summary>
    /// Checks --chroot names a directory (before anything starts; looked at without blocking, like every file
    /// we are given). The path is returned as given: chroot(2) resolves it against the same working directory.
    /// </summary>
    public static string CheckChroot(string dir)
    {
        FileKind? kind = HostFile.KindOf(dir);
        if (kind is null)
            throw new EngineException(ErrorId.InvalidArgument, $"--chroot={dir}: no such directory");
        if (kind != FileKind.Directory)
            throw new EngineException(ErrorId.InvalidArgument, $"--chroot={dir}: that is {HostFile.Describe(kind.Value)}; give a directory");
        return dir;
    }

    /// <summary>chroot (if asked), then groups, gid and uid (if asked), or with no user every capability. Irreversible.</summary>
    public static void Apply(string? chrootDir, UserIds? user)
    {
        if (chrootDir is not null)
        {
            Jail(chrootDir);
            Log.Verbose($"chroot to {chrootDir} done");
        }
        if (user is null)
        {
            // Still root, but a root without powers: nothing in a chroot may be used to leave it.
            if (chrootDir is null) return;
            Capabilities.DropAll();
            Log.Verbose("every capability dropped (--chroot without --username)");
            return;
        }
        SetGroups(user);
        if (setresgid(user.Gid, user.Gid, user.Gid) != 0) throw Denied(user, "setresgid");
        if (setresuid(user.Uid, user.Uid, user.Uid) != 0) throw Denied(user, "setresuid");
        Log.Verbose($"dropped privileges to {user.Name} (uid {user.Uid}, gid {user.Gid})");
    }

    // SAFETY: chroot(2) and chdir(2) only read the path Call pins for them.
    private static unsafe void Jail(string dir)
    {
        Call(chroot, dir, $"chroot(\"{dir}\")");
        Call(chdir, "/", "chdir(\"/\")");
    }

    // SAFETY: setgroups(2) reads exactly groups.Length gids from the array, pinned for the call.
    private static unsafe void SetGroups(UserIds user)
    {
        var groups = user.Groups.Select(g => (gid_t)g).ToArray();
        fixed (gid_t* p = groups)
            if (setgroups((size_t)(ulong)groups.Length, p) != 0) throw Denied(user, "setgroups");
    }

    // SAFETY: a path call (chroot, chdir) only reads the NUL-terminated string it is given.
    private unsafe delegate int PathCall(byte* path);

    // SAFETY: the path is a NUL-terminated copy, pinned while the call reads it.
    private static unsafe void Call(PathCall f, string path, string what)
    {
        byte[] p = ByteString.NulTerminated(path);
        fixed (byte* pp = p)
            if (f(pp) != 0)
            {
                int e = errno;
                throw e is 1 /* EPERM */
                    ? new EngineException(ErrorId.PermissionDenied, $"{what} is not permitted: run lguest as root to use --chroot")
                    : new SysException(what, e);
            }
    }

    private static EngineException Denied(UserIds u, string call) => errno is 1
        ? new EngineException(ErrorId.PermissionDenied, $"--username={u.Name}: {call} is not permitted; only root can switch users")
        : new SysException(call, errno);
}
