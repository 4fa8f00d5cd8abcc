using System.Text;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

public class PanicLineTests
{
    private static PanicLine Fed(params string[] chunks)
    {
        var p = new PanicLine();
        foreach (var c in chunks) p.Feed(Encoding.UTF8.GetBytes(c));
        return p;
    }

    [Fact]
    public void KeepsTheLastWholeLineThatSaysKernelPanic()
    {
        var p = Fed("[    3.1] VFS: Cannot open root device \"(null)\"\r\n",
            "[    3.2] Kernel panic - not syncing: VFS: Unable to mount root fs on unkn", "own-block(0,0)\r\n",
            "[    3.3] CPU: 0 PID: 1 Comm: swapper\n");
        Assert.Equal("[    3.2] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)", p.Last);
        p.Feed("[    3.4] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs ]---\n"u8);
        Assert.StartsWith("[    3.4] ---[ end Kernel panic", p.Last);
    }

    [Fact]
    public void AnUnfinishedLineOrOneWithoutTheWordsIsNotIt()
    {
        Assert.Null(Fed("hello\n", "Kernel panic - not syncing: no newline yet").Last);
        Assert.Null(Fed("kernel PANIC\n").Last);
    }

    [Fact]
    public void AHostileGuestGetsABoundedPrintableLine()
    {
        var p = new PanicLine();
        var junk = new byte[1 << 20];
        new Random(5).NextBytes(junk);
        for (int i = 0; i < junk.Length; i++) if (junk[i] == '\n') junk[i] = 0;
        p.Feed("Kernel panic \u001b[31m"u8);
        p.Feed(junk);
        p.Feed("\n"u8);
        Assert.NotNull(p.Last);
        Assert.True(p.Last!.Length <= PanicLine.MaxLine);
        Assert.DoesNotContain(p.Last, char.IsControl);
        Assert.StartsWith("Kernel panic ?[31m", p.Last);
    }
}
