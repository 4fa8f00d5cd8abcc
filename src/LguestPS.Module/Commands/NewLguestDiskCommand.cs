using System.IO;
using System.Management.Automation;
using LguestPS.Images;

namespace LguestPS.Commands;

/// <summary>
/// New-LguestDisk: a sparse raw disk image for Add-LguestBlockDevice, empty or
/// with an ext4 (ext3, ext2) file system made from a folder, without root.
/// </summary>
[Cmdlet(VerbsCommon.New, "LguestDisk", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class NewLguestDiskCommand : LguestCmdletBase
{
    /// <summary>The image file to create.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The disk's size in MiB.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateRange(1, DiskImage.MaxSizeMB)]
    public int SizeMB { get; set; }

    /// <summary>Makes a file system on the disk (ext4 when -SourcePath is given without it).</summary>
    [Parameter]
    [ValidateSet("ext4", "ext3", "ext2")]
    public string? FileSystem { get; set; }

    /// <summary>A folder whose contents are copied into the new file system.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? SourcePath { get; set; }

    /// <summary>The file system's label (the guest can mount it as LABEL=...).</summary>
    [Parameter]
    [ValidateLength(1, 16)]
    public string? Label { get; set; }

    /// <summary>Replaces an existing file at -Path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var options = new DiskImage.Options
        {
            Path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path),
            SizeMB = SizeMB,
            FileSystem = FileSystem,
            SourcePath = SourcePath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SourcePath),
            Label = Label,
            Force = Force,
        };
        try
        {
            DiskImage.Check(options);
            string fs = options.FileSystem == null ? "no file system" : options.FileSystem + (options.SourcePath != null ? " from " + options.SourcePath : "");
            if (!ShouldProcess(options.Path, $"Create a {SizeMB} MiB disk image ({fs})")) return;
            WriteObject(DiskImage.Create(options));
        }
        catch (LguestException e)
        {
            WriteLguestError(e, options.Path);
        }
    }
}
