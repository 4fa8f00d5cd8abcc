using System.IO;
using System.Management.Automation;
using LguestPS.Images;

namespace LguestPS.Commands;

/// <summary>
/// New-LguestInitramfs: packs a folder, and with -BusyBox a busybox userspace
/// that boots to a shell on the console, into a newc cpio archive for -Initrd.
/// </summary>
[Cmdlet(VerbsCommon.New, "LguestInitramfs", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class NewLguestInitramfsCommand : LguestCmdletBase
{
    /// <summary>The archive to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>A folder whose contents become the guest's root file system (on top of busybox's, with -BusyBox).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? SourcePath { get; set; }

    /// <summary>Adds Debian's static busybox, its applets and an /init that gives a root shell on the console.</summary>
    [Parameter]
    public SwitchParameter BusyBox { get; set; }

    /// <summary>The static busybox to pack (default /bin/busybox, from the busybox-static package).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string BusyBoxPath { get; set; } = BusyBoxRoot.DefaultPath;

    /// <summary>Compresses the archive with gzip (smaller; slower to boot where the guest's inflate is emulated).</summary>
    [Parameter]
    public SwitchParameter Compress { get; set; }

    /// <summary>Replaces an existing file at -Path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var options = new Initramfs.Options
        {
            Path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path),
            SourcePath = SourcePath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SourcePath).TrimEnd('/'),
            BusyBox = BusyBox,
            BusyBoxPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(BusyBoxPath),
            Compress = Compress,
            Force = Force,
        };
        try
        {
            Initramfs.CheckSource(options.SourcePath);
            string what = (BusyBox ? "busybox" : "") + (BusyBox && SourcePath != null ? " and " : "") + (SourcePath != null ? options.SourcePath : "");
            if (!ShouldProcess(options.Path, $"Create initramfs{(what.Length > 0 ? " from " + what : "")}")) return;
            WriteObject(Initramfs.Create(options));
        }
        catch (LguestException e)
        {
            WriteLguestError(e, options.Path);
        }
    }
}
