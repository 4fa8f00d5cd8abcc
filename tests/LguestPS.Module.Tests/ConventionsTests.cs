using System.Management.Automation;
using System.Text.RegularExpressions;
using LguestPS.Client;
using LguestPS.Contract;
using static LguestPS.Module.Tests.FakeEngine;

namespace LguestPS.Module.Tests;

/*
 * The conventions a Hyper-V user expects (issue 10), in-process: binding by
 * property name from a table, -VMName everywhere, completion of VM names,
 * MAC addresses as Hyper-V writes them, Receive-Job -AutoRemoveJob,
 * Start-LguestVm -Wait with a timeout and several VMs at once, objects that
 * crossed a serialization boundary. tests/pester/Conventions.Tests.ps1 is
 * the same in real pwsh, with Import-Csv, TabExpansion2 and Start-Job.
 */
[Collection(EngineCollection.Name)]
public class ConventionsTests : IClassFixture<PowerShellSession>, IDisposable
{
    private readonly PowerShellSession _ps;

    public ConventionsTests(PowerShellSession ps)
    {
        _ps = ps;
        _ps.Reset();
    }

    public void Dispose() => _ps.Reset();

    private PsResult Run(string script, params (string, object?)[] vars) => _ps.Invoke(script, vars);

    private FakeEngine Engine(string body) => Script(_ps.WorkDir, body);

    /// <summary>Rows as Import-Csv makes them: every column on every row, every cell a string, "" when empty.</summary>
    private const string VmTable = """
        $rows = @(
            [pscustomobject]@{ Name = 'web-1'; MemoryMB = '128'; Cpus = '2'; Kernel = './vmlinuz'; Initrd = './initrd.img'; KernelArguments = 'console=hvc0 quiet'; OnReboot = 'Exit' }
            [pscustomobject]@{ Name = 'db-1'; MemoryMB = '96'; Cpus = ''; Kernel = './vmlinux'; Initrd = ''; KernelArguments = ''; OnReboot = '' }
        )
        """;

    [Fact]
    public void ATableOfVmsBuildsExactlyThoseVms()
    {
        var vms = Run(VmTable + "\n$rows | New-LguestVm").Objects<LguestVm>().ToList();
        Assert.Equal(2, vms.Count);
        var (web, db) = (vms[0], vms[1]);
        Assert.Equal(("web-1", 128, 2, LguestRebootAction.Exit, "console=hvc0 quiet"), (web.Name, web.MemoryMB, web.Cpus, web.OnReboot, web.KernelArguments));
        Assert.Equal((Path.Combine(_ps.WorkDir, "vmlinuz"), Path.Combine(_ps.WorkDir, "initrd.img")), (web.Kernel, web.Initrd));
        // Empty cells leave the defaults: one CPU, no initrd, no arguments, reboot restarts.
        Assert.Equal(("db-1", 96, 1, LguestRebootAction.Restart, "", (string?)null), (db.Name, db.MemoryMB, db.Cpus, db.OnReboot, db.KernelArguments, db.Initrd));
        Assert.Equal(new[] { "web-1", "db-1" }, Run("Get-LguestVm").Objects<LguestVm>().Select(v => v.VMName));
    }

    [Fact]
    public void ACellThatIsNotAValueSaysWhatItShouldBe()
    {
        var e = Run("[pscustomobject]@{ Kernel = './vmlinuz'; MemoryMB = 'lots' } | New-LguestVm").Errors[^1];
        Assert.Equal(("ParameterArgumentTransformationError", ErrorCategory.InvalidData), (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        Assert.Contains("'lots' is not a whole number", e.Exception.Message);
        e = Run("[pscustomobject]@{ Kernel = './vmlinuz'; OnReboot = 'Sometimes' } | New-LguestVm").Errors[^1];
        Assert.Contains("'Sometimes' is not one of Restart, Exit", e.Exception.Message);
    }

    [Fact]
    public void ATableOfDevicesBindsEachRowToItsVm()
    {
        Run(VmTable + "\n$rows | New-LguestVm | Out-Null").AssertNoErrors();
        Run("""
            @(
                [pscustomobject]@{ VMName = 'web-1'; Path = './disk.img'; ReadOnly = 'True' }
                [pscustomobject]@{ VMName = 'db-1'; Path = './data.img'; ReadOnly = 'False' }
            ) | Add-LguestBlockDevice | Out-Null
            @(
                [pscustomobject]@{ VMName = 'web-1'; IPAddress = '169.254.1.1'; Bridge = ''; PrefixLength = ''; MacAddress = '00-15-5D-01-02-03' }
                [pscustomobject]@{ VMName = 'db-1'; IPAddress = '169.254.2.1'; Bridge = ''; PrefixLength = '28'; MacAddress = '' }
            ) | Add-LguestTapNetwork | Out-Null
            [pscustomobject]@{ VMName = 'db-1' } | Add-LguestRng | Out-Null
            """).AssertNoErrors();
        var web = Run("Get-LguestVm web-1").Single<LguestVm>();
        var db = Run("Get-LguestVm db-1").Single<LguestVm>();
        var webDisk = Assert.IsType<LguestBlockDevice>(web.Devices[0]);
        Assert.Equal((Path.Combine(_ps.WorkDir, "disk.img"), true), (webDisk.Path, webDisk.ReadOnly));
        Assert.False(Assert.IsType<LguestBlockDevice>(db.Devices[0]).ReadOnly);
        var webNet = Assert.IsType<LguestTapNetwork>(web.Devices[1]);
        Assert.Equal(("169.254.1.1", (int?)24, "00:15:5d:01:02:03"), (webNet.IPAddress, webNet.PrefixLength, webNet.MacAddress));
        var dbNet = Assert.IsType<LguestTapNetwork>(db.Devices[1]);
        Assert.Equal(("169.254.2.1", (int?)28, (string?)null), (dbNet.IPAddress, dbNet.PrefixLength, dbNet.MacAddress));
        Assert.IsType<LguestRng>(db.Devices[2]);
    }

    [Fact]
    public void APipedVmStillBindsAsTheVm()
    {
        // -VMName is the device cmdlets' default set (for tables); a VM object, which has a VMName too, binds -VM by value.
        var vm = Run("New-LguestVm -Name piped -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice ./disk.img | Add-LguestTapNetwork -IPAddress 169.254.5.1").Single<LguestVm>();
        Assert.Equal(new[] { "Rng", "Block", "TapNetwork" }, vm.Devices.Select(d => d.Kind));
    }

    /// <summary>Hyper-V's parameter name works wherever a VM is named, with the same meaning as -Name.</summary>
    [Theory]
    [InlineData("Get-LguestVm -VMName vmn")]
    [InlineData("Start-LguestVm -VMName vmn -WhatIf; Get-LguestVm -VMName vmn")]
    [InlineData("Stop-LguestVm -VMName vmn -PassThru")]
    [InlineData("Wait-LguestVm -VMName vmn -PassThru")]
    [InlineData("Add-LguestRng -VMName vmn")]
    [InlineData("Add-LguestBlockDevice -VMName vmn -Path ./disk.img")]
    [InlineData("Add-LguestTapNetwork -VMName vmn -IPAddress 169.254.6.1")]
    [InlineData("Send-LguestVmConsole -VMName vmn -Text x -WhatIf -PassThru")]
    [InlineData("Remove-LguestVm -VMName vmn -PassThru")]
    [InlineData("New-LguestVm -VMName vmn2 -MemoryMB 64 -Kernel ./vmlinuz")]
    public void VMNameIsAcceptedWhereverAVmIsNamed(string script)
    {
        Run("New-LguestVm -Name vmn -MemoryMB 64 -Kernel ./vmlinuz").AssertNoErrors();
        var r = Run(script);
        if (script.StartsWith("Send-")) { Assert.Equal("VmNotRunning", r.SingleError.FullyQualifiedErrorId.Split(',')[0]); return; }
        r.AssertNoErrors();
        Assert.StartsWith("vmn", r.Single<LguestVm>().VMName);
    }

    [Fact]
    public void EveryParameterThatNamesAVmAnswersToBothNamesAndCompletes()
    {
        foreach (var name in ManifestTests.Cmdlets)
        {
            var cmd = Run("Get-Command $n", ("n", name)).Single<CmdletInfo>();
            var p = cmd.Parameters.Values.SingleOrDefault(p => p.Name is "Name" or "VMName");
            if (p == null) continue;
            Assert.True(p.Name == "VMName" || p.Aliases.Contains("VMName"), $"{name} -{p.Name} answers to -VMName");
            if (name == "New-LguestVm") continue; // a new name completes to nothing
            Assert.True(p.Attributes.OfType<ArgumentCompleterAttribute>().Any(a => a.Type == typeof(LguestPS.Commands.LguestVmNameCompleter)),
                $"{name} -{p.Name} completes VM names");
        }
    }

    [Theory]
    [InlineData("Start-LguestVm -Name we", new[] { "web-1", "web-2" })]
    [InlineData("Get-LguestVm -VMName DB", new[] { "db-1" })]
    [InlineData("Add-LguestRng -VMName ", new[] { "db-1", "web-1", "web-2" })]
    [InlineData("Send-LguestVmConsole -VMName *-2", new[] { "web-2" })]
    [InlineData("Stop-LguestVm x", new string[0])]
    public void VmNamesCompleteOnTab(string line, string[] expected)
    {
        Run("'web-1', 'web-2', 'db-1' | ForEach-Object { New-LguestVm -Name $_ -MemoryMB 64 -Kernel ./vmlinuz } | Out-Null").AssertNoErrors();
        var r = Run("[System.Management.Automation.CommandCompletion]::CompleteInput($l, $l.Length, $null).CompletionMatches", ("l", line));
        r.AssertNoErrors();
        Assert.Equal(expected, r.Objects<CompletionResult>().Select(c => c.CompletionText));
        Assert.All(r.Objects<CompletionResult>(), c => Assert.Contains(": Off, 64 MiB, 1 vCPU(s)", c.ToolTip));
    }

    [Theory]
    [InlineData("00-15-5D-01-02-03", "00:15:5d:01:02:03")]
    [InlineData("00155D010203", "00:15:5d:01:02:03")]
    [InlineData("00:15:5d:01:02:03", "00:15:5d:01:02:03")]
    [InlineData(" 02:00:00:AB:CD:EF ", "02:00:00:ab:cd:ef")]
    public void MacAddressesAreAcceptedInEveryUsualForm(string typed, string engine)
    {
        var vm = Run("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestTapNetwork -IPAddress 169.254.7.1 -MacAddress $m", ("m", typed)).Single<LguestVm>();
        Assert.Equal(engine, ((LguestTapNetwork)vm.Devices[0]).MacAddress);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "it is a multicast address (the first byte, 01, is odd)")]
    [InlineData("33-33-00-00-00-01", "it is a multicast address (the first byte, 33, is odd)")]
    [InlineData("FF-FF-FF-FF-FF-FF", "it is the broadcast address")]
    [InlineData("000000000000", "all zeros is no address")]
    [InlineData("00-15-5D:01-02-03", "is not a MAC address")]
    [InlineData("00155D0102", "is not a MAC address")]
    [InlineData("00-15-5D-01-02-0G", "is not a MAC address")]
    public void MacAddressesAGuestCannotHaveAreRefusedWithWhatToType(string typed, string why)
    {
        var e = Run("New-LguestVm -MemoryMB 64 -Kernel ./vmlinuz | Add-LguestTapNetwork -IPAddress 169.254.7.1 -MacAddress $m", ("m", typed)).Errors[^1];
        Assert.Equal(("ParameterArgumentTransformationError", ErrorCategory.InvalidData), (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category));
        Assert.Contains(why, e.Exception.Message);
        Assert.Contains("02-15-5D-01-02-03, 02:15:5d:01:02:03 or 02155D010203", e.Exception.Message);
    }

    /// <summary>No validation message of the module is a raw pattern: every check says in words what to type.</summary>
    [Fact]
    public void NoParameterIsValidatedByAPattern()
    {
        var patterns = typeof(LguestVm).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties())
            .Where(p => p.GetCustomAttributes(typeof(ValidatePatternAttribute), true).Length > 0)
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}");
        Assert.Empty(patterns);
        var e = Run("New-LguestVm -Name 'web 1' -MemoryMB 64 -Kernel ./vmlinuz").Errors[^1];
        Assert.Contains("'web 1' cannot be a VM name: use letters, digits and - _ .", e.Exception.Message);
    }

    [Fact]
    public void ReceiveJobWaitAutoRemoveJobRemovesTheFinishedJob()
    {
        using var _ = Engine($"{Ready}\necho one\necho two\n{ExitEvent(ExitReason.PowerOff)}");
        var r = Run("New-LguestVm -Name auto -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm | Receive-Job -Wait -AutoRemoveJob");
        r.AssertNoErrors();
        Assert.Equal(new[] { "one", "two" }, r.Objects<LguestConsoleLine>().Select(l => l.Text));
        Assert.Empty(Run("Get-Job").Output);
    }

    [Fact]
    public void ReceiveJobWaitAutoRemoveJobNeverDeadlocksWithTheJobsEnd()
    {
        // The job ending (the run's thread) and Receive-Job disposing it (the pipeline's thread) used
        // to take one lock in opposite orders: Receive-Job hung for good about one run in four.
        // The race is repeated; a hang fails the test instead of the whole run.
        using var _ = Engine($"{Ready}\necho one\n{ExitEvent(ExitReason.PowerOff)}");
        using var ps = PowerShell.Create(_ps.Runspace);
        ps.AddScript("""
            foreach ($i in 1..300) {
                New-LguestVm -Name "race$i" -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm | Receive-Job -Wait -AutoRemoveJob
                Remove-LguestVm -Name "race$i" -Force -Confirm:$false
            }
            """);
        var run = ps.BeginInvoke();
        Assert.True(run.AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(3)), "Receive-Job -Wait -AutoRemoveJob hung (deadlock with the job's end)");
        var lines = ps.EndInvoke(run).Select(o => o.BaseObject).OfType<LguestConsoleLine>().Select(l => l.Text);
        Assert.Equal(Enumerable.Repeat("one", 300), lines);
        Assert.Empty(ps.Streams.Error); // nor the other outcome of that race: "cannot remove the job because it does not exist"
        Assert.Empty(Run("Get-Job").Output);
    }

    [Fact]
    public void VmJobsAreFoundByEveryJobCmdletOnce()
    {
        using var _ = Engine($"{Ready}\necho up\n{RunUntilTerm}");
        var job = Run("New-LguestVm -Name listed -MemoryMB 64 -Kernel ./vmlinuz | Start-LguestVm").Single<LguestVmJob>();
        Assert.Same(job, Run("Get-Job").Single<LguestVmJob>());
        Assert.Same(job, Run("Get-Job -Id $i", ("i", job.Id)).Single<LguestVmJob>());
        Assert.Same(job, Run("Get-Job -InstanceId $i", ("i", job.InstanceId)).Single<LguestVmJob>());
        Assert.Same(job, Run("Get-Job -Name list*").Single<LguestVmJob>());
        Assert.Same(job, Run("Get-Job -State Running").Single<LguestVmJob>());
        Run("Stop-Job -Id $i; Remove-Job -Id $i", ("i", job.Id)).AssertNoErrors();
        Assert.Empty(Run("Get-Job").Output);
    }

    /// <summary>
    /// -Timeout on Start-LguestVm -Wait ends the run as timeout(1) ends a
    /// command: the VM still running is stopped (its last lines still come)
    /// and a WaitTimeout error says so; a VM that ended in time is untouched.
    /// </summary>
    [Fact]
    public void StartWaitTimeoutStopsTheVmsStillRunning()
    {
        using var _ = Engine($$"""
            {{Ready}}
            case "$*" in
              *quick*) echo quick done; {{ExitEvent(ExitReason.PowerOff)}} ;;
              *) echo slow started; on_term() { echo slow stopping; {{ExitEvent(ExitReason.SigTerm, "stopped by SIGTERM")}}; }; trap on_term TERM; while :; do sleep 0.05; done ;;
            esac
            """);
        var r = Run("""
            New-LguestVm -Name quick -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments quick | Out-Null
            New-LguestVm -Name slow -MemoryMB 64 -Kernel ./vmlinuz | Out-Null
            Start-LguestVm -Name quick, slow -Wait -Timeout 2
            """);
        var e = r.SingleError;
        Assert.Equal(("WaitTimeout,LguestPS.Commands.StartLguestVmCommand", ErrorCategory.OperationTimeout), (e.FullyQualifiedErrorId, e.CategoryInfo.Category));
        Assert.Equal("VM 'slow' was still running after -Timeout 2 s, so it was stopped.", e.Exception.Message);
        Assert.Equal(new[] { "quick done", "slow started", "slow stopping" }, r.Objects<LguestConsoleLine>().Select(l => l.Text).Order());
        Assert.Equal((LguestVmState.Off, ExitReason.SigTerm.Name), (Run("Get-LguestVm slow").Single<LguestVm>().State, Run("(Get-LguestVm slow).ExitReason").Single<string>()));
        Assert.Equal(ExitReason.PowerOff.Name, Run("(Get-LguestVm quick).ExitReason").Single<string>());
        Assert.Equal("InvalidArgument", Run("Start-LguestVm -Name quick -Timeout 5").SingleError.FullyQualifiedErrorId.Split(',')[0]);
    }

    /// <summary>
    /// Several VMs under -Wait run at once: VM a prints its second line only
    /// after VM b has started (a file b makes), so a feed that ran one VM
    /// after the other would see a give up, not finish.
    /// </summary>
    [Fact]
    public void StartWaitRunsSeveralVmsAtOnce()
    {
        string flag = Path.Combine(_ps.WorkDir, $"b-started-{Guid.NewGuid():N}");
        using var _ = Engine($$"""
            {{Ready}}
            case "$*" in
              *role=a*) echo a1; n=0; while [ ! -e '{{flag}}' ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done
                        if [ -e '{{flag}}' ]; then echo a2; else echo a gave up; fi ;;
              *) echo b1; : > '{{flag}}' ;;
            esac
            {{ExitEvent(ExitReason.PowerOff)}}
            """);
        var r = Run("""
            New-LguestVm -Name a -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments role=a | Out-Null
            New-LguestVm -Name b -MemoryMB 64 -Kernel ./vmlinuz -KernelArguments role=b | Out-Null
            Get-LguestVm a, b | Start-LguestVm -Wait
            """);
        r.AssertNoErrors();
        var lines = r.Objects<LguestConsoleLine>().ToList();
        Assert.Equal(new[] { "a1", "a2" }, lines.Where(l => l.VmName == "a").Select(l => l.Text));
        Assert.Equal(new[] { "b1" }, lines.Where(l => l.VmName == "b").Select(l => l.Text));
    }

    /// <summary>A VM that crossed a serialization boundary keeps its devices as objects, its states by name (not as numbers), and renders with the module's view.</summary>
    [Fact]
    public void ADeserializedVmKeepsItsDevicesAndItsView()
    {
        Run("New-LguestVm -Name far -MemoryMB 128 -Kernel ./vmlinuz | Add-LguestRng | Add-LguestBlockDevice -Path ./data.img -ReadOnly | Out-Null").AssertNoErrors();
        var copy = Run("$x = [System.Management.Automation.PSSerializer]::Serialize((Get-LguestVm far)); [System.Management.Automation.PSSerializer]::Deserialize($x)").Output.Single();
        Assert.Equal("Deserialized.LguestPS.LguestVm", copy.TypeNames[0]);
        var devices = ((System.Collections.IEnumerable)PSObject.AsPSObject(copy.Properties["Devices"].Value).BaseObject).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "Rng", "Block" }, devices.Select(d => d.Properties["Kind"].Value));
        Assert.Equal(true, devices[1].Properties["ReadOnly"].Value);
        Assert.Equal("Deserialized.LguestPS.LguestBlockDevice", devices[1].TypeNames[0]);
        Assert.Equal("Off", copy.Properties["State"].Value);
        Assert.Equal("Restart", copy.Properties["OnReboot"].Value);
        Assert.Equal("far", Run("$x = [System.Management.Automation.PSSerializer]::Serialize((Get-LguestVm far)); " +
            "[System.Management.Automation.PSSerializer]::Deserialize($x) | Where-Object State -eq Off | ForEach-Object Name").Output.Single().BaseObject);

        string table = _ps.Render("[System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-LguestVm far)))");
        Assert.Matches(new Regex(@"Name\s+State\s+MemoryMB\s+Cpus\s+ProcessId\s+Uptime\s+Devices"), table);
        Assert.Matches(new Regex(@"far\s+Off\s+128\s+1\s+Rng, Block"), table);
    }
}

/// <summary>What the console records' Text is: what a terminal would show, without the controls that drew it.</summary>
public class TerminalLineTests
{
    [Theory]
    [InlineData("\u001b[6n~ # ", "~ # ")]                                      // busybox ash's cursor-position query before its prompt
    [InlineData("\u001b[1;32mgreen\u001b[0m plain", "green plain")]           // SGR colours
    [InlineData("\u001b]0;a window title\u0007text", "text")]                 // OSC ended by BEL
    [InlineData("\u001b]2;title\u001b\\text", "text")]                        // OSC ended by ST
    [InlineData("\u001b(Bascii", "ascii")]                                     // a character-set designation
    [InlineData("\u001b[?25lhidden cursor\u001b[?25h", "hidden cursor")]      // private parameters
    [InlineData("10%\r20%\r100%", "100%")]                                      // a progress meter writes over itself
    [InlineData("abc\bX", "abX")]                                              // backspace, then a character over the last
    [InlineData("typed wrong\u001b[5Dright", "typed right")]                   // cursor back 5 (CUB), then overwrite
    [InlineData("prompt$ long command\r\u001b[Kprompt$ ", "prompt$ ")]         // redraw: CR, erase to end of line
    [InlineData("abcdef\u001b[3G\u001b[K", "ab")]                               // to column 3 (CHA), erase the rest
    [InlineData("bell\u0007 and nul\0 gone", "bell and nul gone")]             // other C0 controls show nothing
    [InlineData("tab\tstays", "tab\tstays")]
    [InlineData("unfinished \u001b[", "unfinished ")]                          // a sequence cut by the line's end
    [InlineData("\u001b[999999999C", "")]                                       // a hostile cursor move writes nothing
    public void ControlsDoTheirWorkAndVanish(string written, string shown)
    {
        var line = new TerminalLine(ConsoleLineSplitter.MaxLineChars);
        foreach (char c in written) line.Feed(c);
        Assert.Equal(shown, line.Text);
    }

    [Fact]
    public void ConsoleRecordsCarryNoControlSequences()
    {
        var s = new ConsoleLineSplitter("vm");
        var lines = new List<LguestConsoleLine>();
        var bytes = System.Text.Encoding.UTF8.GetBytes("\u001b[6n~ # ls\r\n\u001b[1;34mbin\u001b[0m  \u001b[1;34metc\u001b[0m\r\n\u001b[6n~ # ");
        // Byte by byte: a sequence split between two reads of the pipe is still one sequence.
        for (int i = 0; i < bytes.Length; i++) s.Feed(bytes[i..(i + 1)], 1, TimeSpan.Zero, lines);
        Assert.Equal(new[] { "~ # ls", "bin  etc" }, lines.Select(l => l.Text));
        Assert.Equal("~ # ", s.Idle()!.Text);
    }

    [Fact]
    public void AWrittenOverLineIsPreviewedAgainOnlyWhenItChanges()
    {
        var s = new ConsoleLineSplitter("vm");
        var none = new List<LguestConsoleLine>();
        s.Feed("50%"u8.ToArray(), 3, TimeSpan.Zero, none);
        Assert.Equal("50%", s.Idle()!.Text);
        Assert.Null(s.Idle());
        s.Feed("\r90%"u8.ToArray(), 4, TimeSpan.Zero, none);
        Assert.Equal("90%", s.Idle()!.Text);
        s.Feed("\r90%"u8.ToArray(), 4, TimeSpan.Zero, none); // the same text again: nothing new to preview
        Assert.Null(s.Idle());
        Assert.Empty(none);
        s.Feed("\n"u8.ToArray(), 1, TimeSpan.Zero, none);   // the line ends: delivered whole, once
        Assert.Equal("90%", Assert.Single(none).Text);
        Assert.False(none[0].IsPartial);
    }
}

/// <summary>MAC addresses as people type them, and the ones a network card cannot have (IEEE 802 individual/group bit).</summary>
public class MacAddressTextTests
{
    [Theory]
    [InlineData("00-15-5D-01-02-03", "00:15:5d:01:02:03")]
    [InlineData("00155d010203", "00:15:5d:01:02:03")]
    [InlineData("AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff")]
    [InlineData("00:15-5d:01:02:03", null)]
    [InlineData("00:15:5d:01:02", null)]
    [InlineData("0:15:5d:01:02:03", null)]
    [InlineData("", null)]
    public void ReadsTheUsualForms(string text, string? expected) => Assert.Equal(expected, MacAddressText.Normalize(text));

    [Theory]
    [InlineData("02:00:00:00:00:01", null)]
    [InlineData("00:15:5d:01:02:03", null)]
    [InlineData("01:00:5e:00:00:fb", "multicast")]
    [InlineData("ff:ff:ff:ff:ff:ff", "broadcast")]
    [InlineData("00:00:00:00:00:00", "all zeros")]
    public void RefusesWhatNoCardAnswersTo(string mac, string? why)
    {
        string? reason = MacAddressText.Unusable(mac);
        if (why == null) Assert.Null(reason);
        else Assert.Contains(why, reason);
    }
}
