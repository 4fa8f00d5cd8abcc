using System.Text.Json;
using LguestPS.Engine.Tests.EndToEnd;

namespace LguestPS.Engine.Tests.Contract;

/// <summary>The real engine's JSON events, read against the contract: no field it does not declare, none it declares missing.</summary>
public class EngineSpeaksTheContractTests
{
    private static void AssertShape(JsonElement e)
    {
        string name = e.GetProperty(Events.EventField).GetString()!;
        var shape = EventShape.All.SingleOrDefault(s => s.Name == name);
        Assert.True(shape != null, $"the engine wrote an event the contract does not know: {e}");
        var expected = shape.Fields.Prepend(Events.TimeField).Prepend(Events.EventField).Order();
        Assert.Equal(expected, e.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Number, e.GetProperty(Events.TimeField).ValueKind);
    }

    [SkippableFact]
    public void ABootRebootAndStopSpeakOnlyTheContract()
    {
        KvmHost.Require();
        using var vm = EngineProcess.Start("--log-format=json", "--verbose", "--rng", "64", TestGuest.BzImage, "tests=paging");
        vm.WaitForOutput("TESTS DONE", count: 2);
        vm.Signal(Tmds.Linux.LibC.SIGTERM);
        Assert.Equal(ExitReason.SigTerm.Code, vm.WaitForExit());
        var events = vm.Events;
        foreach (var e in events) AssertShape(e);
        var names = events.Select(e => e.GetProperty(Events.EventField).GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { Events.Ready.Name, Events.Log.Name, Events.Reboot.Name, Events.Exit.Name }, names);

        var ready = events.First(e => e.GetProperty(Events.EventField).GetString() == Events.Ready.Name);
        Assert.Equal([Events.Ready.DeviceNames.Serial, Events.Ready.DeviceNames.Console, Events.Ready.DeviceNames.Rng, Events.Ready.DeviceNames.PvPanic],
            ready.GetProperty(Events.Ready.Devices).EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(Events.Ready.Formats.BzImage, ready.GetProperty(Events.Ready.Format).GetString());
        var reboot = events.First(e => e.GetProperty(Events.EventField).GetString() == Events.Reboot.Name);
        Assert.Equal(Events.Reboot.Reasons.Reset, reboot.GetProperty(Events.Reboot.Reason).GetString());
        Assert.All(events.Where(e => e.GetProperty(Events.EventField).GetString() == Events.Log.Name),
            l => Assert.Contains(l.GetProperty(Events.Log.Level).GetString(), new[] { Events.Log.Levels.Verbose, Events.Log.Levels.Warning }));
        Assert.Equal(ExitReason.SigTerm.Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
    }

    [Theory]
    [InlineData(ErrorId.UsageError, "--frobnicate", "64", "k")]
    [InlineData(ErrorId.MemoryTooSmall, "0", "k")]
    [InlineData(ErrorId.KernelNotFound, "64", "/nonexistent/kernel")]
    public void AFailedStartSaysItsIdAndEndsAsTheIdSays(ErrorId id, params string[] args)
    {
        using var vm = EngineProcess.Start(["--log-format=json", .. args]);
        int code = vm.WaitForExit();
        foreach (var e in vm.Events) AssertShape(e);
        var error = vm.Events.Single(e => e.GetProperty(Events.EventField).GetString() == Events.Error.Name);
        Assert.Equal(id.Name(), error.GetProperty(Events.Error.Id).GetString());
        Assert.Equal(id.ExitOf().Name, vm.ExitEvent.GetProperty(Events.Exit.Reason).GetString());
        Assert.Equal(id.ExitOf().Code, vm.ExitEvent.GetProperty(Events.Exit.Code).GetInt32());
        Assert.Equal(id.ExitOf().Code, code);
    }
}
