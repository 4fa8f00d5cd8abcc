namespace LguestPS.Guest;

/*
 * The shell scripts a file copy runs in the guest, in POSIX sh with the
 * tools busybox and coreutils both have (df -P, stty, cat, base64,
 * sha256sum, mv), and built-ins wherever they do the job: on a
 * software-only KVM every program started costs the guest a good part of
 * a second. Exit codes from 90 up say which check failed;
 * GuestFileCopy turns each into its own error. Paths are passed in single
 * quotes (CommandScript.Quote), so any file name is safe. Whether the
 * destination can be written is found by writing (`true > tmp`; not `:`,
 * a special builtin whose failed redirection would end the script):
 * busybox's `test -w` answers yes to root whatever the directory.
 */
/// <summary>The guest side of Copy-LguestVmFile.</summary>
internal static class GuestScripts
{
    /// <summary>
    /// Receives a file: checks, the Ready marker, base64 lines until ^D, checksum, rename.
    /// A destination that is a directory gets the file under its own <paramref name="name"/>.
    /// </summary>
    internal static string Receive(ShellMarker marker, string destination, string name, long size, string sha256, bool force)
    {
        long kib = (size + 1023) / 1024 + 16; // the data, and room for the file system's own blocks
        return $@"d={CommandScript.Quote(destination)}; n={CommandScript.Quote(name)}
[ -d ""$d"" ] && d=""${{d%/}}/$n""
case $d in */*) p=${{d%/*}}; p=${{p:-/}} ;; *) p=. ;; esac
[ -d ""$p"" ] || exit 90
[ -d ""$d"" ] && exit 92
[ -e ""$d"" ] && [ {(force ? 1 : 0)} = 0 ] && exit 91
f=$(df -Pk ""$p"" | {{ read -r _; read -r _ t _ a _; echo ""${{t:-0}} ${{a:-0}}""; }})
[ ""${{f% *}}"" = 0 ] || [ ""${{f#* }}"" -ge {kib} ] || {{ echo ""${{f#* }}""; exit 94; }}
t=""$p/.${{d##*/}}.lgps-{marker.Nonce.Substring(0, 8)}""
true 2>/dev/null > ""$t"" || exit 93
s=$(stty -g 2>/dev/null)
trap '[ -n ""$s"" ] && stty ""$s""; rm -f ""$t""; exit 130' INT TERM HUP
stty -echo 2>/dev/null
{marker.Echo(ShellMarker.Ready)}
cat | {{ base64 -d > ""$t""; r=$?; cat > /dev/null; exit $r; }}
r=$?
[ -n ""$s"" ] && stty ""$s""
trap - INT TERM HUP
[ $r = 0 ] || {{ rm -f ""$t""; exit 95; }}
g=$(sha256sum < ""$t""); g=${{g%% *}}
[ ""$g"" = {sha256} ] || {{ rm -f ""$t""; echo ""$g""; exit 96; }}
mv -f ""$t"" ""$d"" || {{ rm -f ""$t""; exit 93; }}
echo ""$d""";
    }

    /// <summary>Sends a file: its SHA-256 on the first line, then the file in base64.</summary>
    internal static string Send(string source) => $@"s={CommandScript.Quote(source)}
[ -e ""$s"" ] || exit 90
[ -d ""$s"" ] && exit 92
[ -r ""$s"" ] || exit 93
g=$(sha256sum < ""$s"") || exit 93
echo ""${{g%% *}}""
base64 < ""$s"" || exit 93";
}
