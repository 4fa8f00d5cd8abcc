using LguestPS.Engine.Platform;
using LguestPS.Engine.Tests.Platform;
using LguestPS.Engine.Tests.Virtio.Devices;
using LguestPS.Engine.Tests.Virtio.Queue;
using LguestPS.Engine.Virtio.Console;
using LguestPS.Engine.Vmm;

namespace LguestPS.Engine.Tests.Vmm;

/// <summary>Which of the two consoles gets what is typed: the one the guest spoke on last, if a program reads it.</summary>
public class ConsoleMuxTests : IDisposable
{
    private const byte IerRdi = 0x01, IerThri = 0x02;
    private readonly ConsoleMux _mux;
    private readonly DeviceHarness _hvc;
    private readonly Serial8250 _uart;

    public ConsoleMuxTests()
    {
        var virtio = new ConsoleDevice(new RecordingSink());
        _mux = new ConsoleMux(new RecordingSink(), virtio);
        virtio.Output = _mux.VirtioSink;
        _hvc = new DeviceHarness(virtio);
        _uart = new Serial8250(_mux.SerialSink, new RecordingSink());
        _mux.Attach(_uart);
    }

    public void Dispose() => _hvc.Dispose();

    private void HvcPrints(string text)
    {
        _hvc.Mem.Write(0x40000, System.Text.Encoding.ASCII.GetBytes(text));
        _hvc.Serve(1, new Buf(0x40000, (uint)text.Length));
    }

    private void UartPrints(string text, byte ier)
    {
        _uart.Write(1, 1, ier);
        foreach (char c in text) _uart.Write(0, 1, c);
    }

    /// <summary>What the shell on hvc0 reads when it next posts a buffer.</summary>
    private string HvcReads()
    {
        uint n = _hvc.Serve(0, new Buf(0x50000, 256, true));
        return System.Text.Encoding.ASCII.GetString(_hvc.Bytes(0x50000, (int)n));
    }

    private int UartQueued => 4096 - _uart.RxSpace;

    [Fact]
    public void EarlyBootTypingGoesToTheUart()
    {
        UartPrints("Linux version 6.1", ier: 0);
        _mux.Deliver("x"u8, () => false);
        Assert.Equal(1, UartQueued);
    }

    [Fact]
    public void AShellOnHvc0KeepsTheKeyboardWhenTheKernelLogsOnTtyS0()
    {
        HvcPrints("/ # ");
        UartPrints("WARNING: CPU: 0 PID: 1 at ...\r\n", ier: 0); // printk on console=ttyS0: interrupts off while it writes
        _mux.Deliver("echo hi\n"u8, () => false);
        Assert.Equal(0, UartQueued);
        Assert.Equal("echo hi\n", HvcReads());
    }

    [Fact]
    public void AGettyOnTtyS0TakesTheKeyboardBack()
    {
        HvcPrints("/ # ");
        UartPrints("login: ", ier: IerRdi | IerThri); // a program that opened ttyS0: receive interrupt on
        _mux.Deliver("root\n"u8, () => false);
        Assert.Equal(5, UartQueued);
    }
}
