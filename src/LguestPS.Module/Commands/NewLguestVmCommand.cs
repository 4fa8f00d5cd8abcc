using System.IO;
using System.Linq;
using System.Management.Automation;
using LguestPS.Contract;

namespace LguestPS.Commands;

/// <summary>New-LguestVm: describes a VM and adds it to the session. Nothing runs until Start-LguestVm.</summary>
[Cmdlet(VerbsCommon.New, "LguestVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(LguestVm))]
public sealed class NewLguestVmCommand : LguestCmdletBase
{
    /*
     * Every parameter binds by property name too, so a table of VMs builds
     * them: Import-Csv vms.csv | New-LguestVm, one VM per row, with columns
     * named like the parameters (or their aliases). An empty cell leaves its
     * parameter at the default, and a switch reads True/False.
     */

    /// <summary>The VM's name; by default the kernel's file name, made unique.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VMName")]
    [TextArgument]
    [ValidateVmName]
    public string? Name { get; set; }

    /// <summary>The kernel: an x86-64 bzImage or ELF vmlinux.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string Kernel { get; set; } = null!;

    /// <summary>Guest RAM in MiB.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument(typeof(int), DefaultMemoryMB)]
    public int MemoryMB { get; set; } = DefaultMemoryMB;

    /// <summary>Number of virtual CPUs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ProcessorCount")]
    [TextArgument(typeof(int), 1)]
    [ValidateRange(1, Limits.MaxCpus)]
    public int Cpus { get; set; } = 1;

    /// <summary>An initial RAM disk.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument]
    public string? Initrd { get; set; }

    /// <summary>The kernel command line.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("CommandLine")]
    [AllowEmptyString]
    [AllowNull]
    public string? KernelArguments { get; set; } = "";

    /// <summary>What a guest reboot does.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument(typeof(LguestRebootAction), LguestRebootAction.Restart)]
    public LguestRebootAction OnReboot { get; set; } = LguestRebootAction.Restart;

    /// <summary>A user for the engine to become once it has opened its files and devices.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument]
    public string? UserName { get; set; }

    /// <summary>A directory for the engine to chroot into once it has opened its files and devices.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TextArgument]
    public string? ChrootPath { get; set; }

    /// <summary>Runs the guest exactly as given even on a software-only KVM host (engine option --no-host-quirks).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BooleanText]
    public SwitchParameter NoHostQuirks { get; set; }

    /// <summary>Runs the engine without its seccomp sandbox (engine option --no-sandbox).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [BooleanText]
    public SwitchParameter NoSandbox { get; set; }

    private const int DefaultMemoryMB = 256;

    protected override void ProcessRecord()
    {
        string kernel = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Kernel);
        string? initrd = Initrd == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Initrd);
        string? chroot = ChrootPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ChrootPath);
        try
        {
            Validate.Memory(MemoryMB);
            Validate.Kernel(kernel);
            if (initrd != null) Validate.Initrd(initrd, MemoryMB);
            if (chroot != null && !Directory.Exists(chroot))
                throw LguestErrors.Fail(ErrorId.InvalidArgument, $"-ChrootPath '{chroot}' is not a directory.");
        }
        catch (LguestException e)
        {
            WriteLguestError(e, Kernel);
            return;
        }

        string name = Name ?? Registry.UniqueName(DefaultName(kernel));
        if (!ShouldProcess(name, $"Create VM ({MemoryMB} MiB, {Cpus} vCPU(s), kernel {kernel})")) return;
        var vm = new LguestVm(name, MemoryMB, Cpus, kernel, initrd, KernelArguments ?? "", OnReboot, UserName, chroot, hostQuirks: !NoHostQuirks, sandbox: !NoSandbox);
        try
        {
            Registry.Add(vm);
        }
        catch (LguestException e)
        {
            WriteLguestError(e, name);
            return;
        }
        WriteObject(vm);
    }

    /// <summary>"guest.bzImage" gives "guest"; a version like "vmlinuz-6.1.0-56-amd64" is kept whole.</summary>
    internal static string DefaultName(string kernelPath)
    {
        string file = System.IO.Path.GetFileName(kernelPath);
        string ext = System.IO.Path.GetExtension(file);
        return ext.Length > 1 && ext.Skip(1).All(char.IsLetter) ? System.IO.Path.GetFileNameWithoutExtension(file) : file;
    }
}
