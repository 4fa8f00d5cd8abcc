using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace LguestPS.Guest;

/*
 * Copy-LguestVmFile's work: a file through the same console shell as
 * Invoke-LguestVmCommand, base64 on the wire (a console carries text, and
 * none of base64's characters means anything to a terminal), SHA-256 end to
 * end, and on both sides nothing half-written: the file is written under a
 * temporary name beside its destination and moved into place only once its
 * checksum matches.
 *
 * Into the guest, one script (GuestScripts.Receive) checks the destination
 * and the free space before anything is sent, turns the terminal's echo off
 * (it would double what crosses the console), prints the Ready marker and
 * reads: `cat` takes lines until the ^D we type after the last one (a
 * canonical terminal's end of file), and hands them to `base64 -d`. Should
 * base64 -d fail half-way (a full disk), a second `cat` drains the rest, so
 * no line of data is ever read by the shell as a command. The guest then
 * compares the checksum we gave it and renames.
 *
 * Out of the guest, the script (GuestScripts.Send) prints the file's
 * checksum and then the file in base64 between the usual markers; we decode
 * the lines as they come, hash what we write, and rename if the checksums
 * agree. Kernel messages on the console would corrupt the data: the
 * checksum catches that, and the copy fails with nothing written.
 */
/// <summary>Copies files into and out of a guest over its console shell.</summary>
internal static class GuestFileCopy
{
    /// <summary>Raw bytes per data line: 3040 base64 characters, under a canonical terminal's 4095-byte line.</summary>
    internal const int BytesPerLine = 2280;

    private const int LinesPerWrite = 16;

    internal static void Copy(LguestVm vm, string source, string destination, bool fromGuest, bool force, int timeoutSeconds, CancellationToken cancel)
    {
        var deadline = Deadline.Seconds(timeoutSeconds);
        if (!fromGuest) CheckHostSource(source);
        using var shell = VmShell.Claim(vm, deadline, cancel);
        if (fromGuest) FromGuest(shell.Shell, vm.Name, source, destination, force, deadline);
        else ToGuest(shell.Shell, vm.Name, source, destination, force, deadline);
    }

    internal static void CheckHostSource(string source)
    {
        if (Directory.Exists(source))
            throw LguestErrors.Fail("SourcePathIsDirectory", $"-SourcePath '{source}' is a directory; Copy-LguestVmFile copies one file.");
        if (!File.Exists(source))
            throw LguestErrors.Fail("SourcePathNotFound", $"-SourcePath '{source}' does not exist.");
    }

    /// <summary>Host to guest. Returns the file's path in the guest.</summary>
    internal static string ToGuest(ShellSession shell, string vmName, string source, string destination, bool force, Deadline deadline)
    {
        CheckHostSource(source);
        long size;
        string hash;
        using (var file = OpenSource(source))
        {
            size = file.Length;
            using var sha = SHA256.Create();
            hash = Hex(sha.ComputeHash(file));
        }
        var lines = new List<string>();
        string what = $"the copy of '{source}' to '{destination}'";
        int code = shell.Run(m => GuestScripts.Receive(m, destination, Path.GetFileName(source), size, hash, force), deadline, what,
            line => { if (lines.Count < 100) lines.Add(line); }, (s, d) => SendData(s, source, d, what));
        if (code == 0) return lines.Count > 0 ? lines[lines.Count - 1] : destination;
        throw code switch
        {
            90 => LguestErrors.Fail("GuestDirectoryNotFound", $"VM '{vmName}': the directory of '{destination}' does not exist in the guest; create it first (Invoke-LguestVmCommand 'mkdir -p ...')."),
            91 => LguestErrors.Fail("GuestDestinationExists", $"VM '{vmName}': '{destination}' exists in the guest; add -Force to replace it."),
            92 => LguestErrors.Fail("GuestPathIsDirectory", $"VM '{vmName}': '{destination}/{Path.GetFileName(source)}' is a directory in the guest."),
            93 => LguestErrors.Fail("GuestDestinationUnwritable", $"VM '{vmName}': cannot write to the directory of '{destination}' in the guest (read-only, or not permitted)."),
            94 => LguestErrors.Fail("GuestDiskFull", $"VM '{vmName}': '{source}' ({size} bytes) does not fit in the guest's free space where '{destination}' goes ({Last(lines)} KiB free). Nothing was sent."),
            96 => LguestErrors.Fail("CopyChecksumMismatch", $"VM '{vmName}': the copy of '{source}' arrived with SHA-256 {Last(lines)}, not {hash}; it was deleted in the guest. Console noise (kernel messages) may have corrupted it: try again."),
            _ => LguestErrors.Fail("GuestCopyFailed", $"VM '{vmName}': writing '{destination}' in the guest failed (exit code {code}): {string.Join(" ", lines)}. Nothing was left there."),
        };
    }

    /// <summary>The data lines, a batch per write, then ^D: end of file for `cat` on a canonical terminal.</summary>
    private static void SendData(ShellSession shell, string source, Deadline deadline, string what)
    {
        using var file = OpenSource(source);
        var chunk = new byte[BytesPerLine];
        var batch = new System.Text.StringBuilder();
        int lines = 0, n;
        while ((n = ReadFull(file, chunk)) > 0)
        {
            batch.Append(Convert.ToBase64String(chunk, 0, n)).Append('\n');
            if (++lines % LinesPerWrite == 0)
            {
                shell.Type(batch.ToString(), deadline, what);
                batch.Clear();
            }
        }
        shell.Type(batch.Append('\u0004').ToString(), deadline, what);
    }

    /// <summary>Guest to host.</summary>
    internal static FileInfo FromGuest(ShellSession shell, string vmName, string source, string destination, bool force, Deadline deadline)
    {
        if (Directory.Exists(destination)) destination = Path.Combine(destination, GuestBaseName(source));
        using var staged = StagedFile.Create(destination, force);
        string? expected = null, failure = null, last = null;
        using (var sink = new Base64Sink(staged.OpenWrite()))
        {
            int code = shell.Run(_ => GuestScripts.Send(source), deadline, $"the copy of '{source}' from the guest", line =>
            {
                if (expected == null) expected = line.Trim();
                else if (failure == null && !sink.TryWrite(line)) failure = line;
                last = line;
            });
            if (code != 0)
            {
                throw code switch
                {
                    90 => LguestErrors.Fail("GuestFileNotFound", $"VM '{vmName}': '{source}' does not exist in the guest."),
                    92 => LguestErrors.Fail("GuestPathIsDirectory", $"VM '{vmName}': '{source}' is a directory in the guest; Copy-LguestVmFile copies one file."),
                    93 => LguestErrors.Fail("GuestFileUnreadable", $"VM '{vmName}': '{source}' cannot be read in the guest."),
                    _ => LguestErrors.Fail("GuestCopyFailed", $"VM '{vmName}': reading '{source}' in the guest failed (exit code {code}): {last}"),
                };
            }
            string got = sink.Finish();
            if (failure != null || got != expected)
                throw LguestErrors.Fail("CopyChecksumMismatch",
                    $"VM '{vmName}': the copy of '{source}' arrived {(failure != null ? "with a line that is not base64" : $"with SHA-256 {got}, not {expected}")}; nothing was written to '{destination}'. " +
                    "Console noise (kernel messages) may have corrupted it: try again.");
        }
        return staged.Commit();
    }

    private static FileStream OpenSource(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LguestErrors.Fail("SourcePathUnreadable", $"Cannot read '{path}': {e.Message}", e);
        }
    }

    private static int ReadFull(Stream s, byte[] buffer)
    {
        int got = 0, n;
        while (got < buffer.Length && (n = s.Read(buffer, got, buffer.Length - got)) > 0) got += n;
        return got;
    }

    private static string GuestBaseName(string path) => path.TrimEnd('/').Substring(path.TrimEnd('/').LastIndexOf('/') + 1);

    private static string Last(List<string> lines) => lines.Count > 0 ? lines[lines.Count - 1].Trim() : "";

    internal static string Hex(byte[] hash) => BitConverter.ToString(hash).Replace("-", "").ToLowerInvariant();
}
