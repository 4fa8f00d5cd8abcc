using LguestPS.Engine.Boot;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Contract;

/// <summary>The contract's own rules, and the engine facts its limits are derived from.</summary>
public class ContractTests
{
    [Fact]
    public void EveryReasonWordIsItsOwnAndOnlyACleanEndIsZero()
    {
        Assert.Equal(ExitReason.All.Count, ExitReason.All.Select(e => e.Name).Distinct().Count());
        Assert.All(ExitReason.All, e => Assert.Equal(e.Outcome == ExitOutcome.Clean, e.Code == 0));
        Assert.All(ExitReason.All, e => Assert.Same(e, ExitReason.FromName(e.Name)));
        Assert.Null(ExitReason.FromName("bad-driver")); // retired: see ExitReason.cs
        Assert.Null(ExitReason.FromCode(6));
        Assert.Same(ExitReason.PowerOff, ExitReason.FromCode(0));
    }

    [Fact]
    public void ErrorIdsReadBackFromTheirNames()
    {
        Assert.Equal(16, ErrorIds.All.Count); // DiskInUse, the 16th, came with the QEMU-visible disk locks
        Assert.All(ErrorIds.All, id => Assert.Equal(id, ErrorIds.FromName(id.Name())));
        Assert.Null(ErrorIds.FromName("NoSuchId"));
    }

    [Fact]
    public void TheDeviceLimitIsTheSlotsLeftOnBusZero() =>
        Assert.Equal(PciRoot.MaxDevices - 2, Limits.MaxDevices); // slot 0 the host bridge, slot 1 the console

    [Fact]
    public void TheCpuLimitLeavesTheIoApicAnIdBelowBroadcast()
    {
        Assert.Equal(Limits.MaxCpus, MpTable.MaxCpus);
        Assert.True(MpTable.IoApicId(Limits.MaxCpus) < 0xFF);
    }
}
