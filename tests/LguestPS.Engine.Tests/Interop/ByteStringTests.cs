using System.Text;
using LguestPS.Engine.Cli;
using LguestPS.Engine.Interop;

namespace LguestPS.Engine.Tests.Interop;

/// <summary>Bytes through the engine's strings and back, unchanged (ByteString, RawArgs).</summary>
public class ByteStringTests
{
    [Fact]
    public void AnyBytesComeBackTheSame()
    {
        var random = new Random(13);
        for (int n = 0; n < 2000; n++)
        {
            var bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            Assert.Equal(bytes, ByteString.Encode(ByteString.Decode(bytes)));
        }
        byte[] edge = [0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0x80, 0x80];
        Assert.Equal(edge, ByteString.Encode(ByteString.Decode(edge)));
    }

    [Fact]
    public void Utf8IsUtf8AndTheRestIsEscaped()
    {
        string text = "console=ttyS0 é 😀 ✓";
        Assert.Equal(text, ByteString.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(Encoding.UTF8.GetBytes(text), ByteString.Encode(text));
        string x = ByteString.Decode([(byte)'x', (byte)'=', 0xff, 0xfe]);
        Assert.Equal("x=\uDCFF\uDCFE", x);
        Assert.Equal("x=\uFFFD\uFFFD", ByteString.ForText(x)); // JSON gets what a UTF-8 decoder would show
        Assert.Equal([.. "x="u8, 0xff, 0xfe, 0], ByteString.NulTerminated(x));
    }

    [Fact]
    public void RawArgumentsSplitAtEachNul()
    {
        byte[] cmdline = [.. "lguest\0--rng\0"u8, 0xff, .. "\0\0last"u8];
        Assert.Equal(["lguest", "--rng", "\uDCFF", "", "last"], RawArgs.Split(cmdline));
    }

    [Fact]
    public void TheRuntimesArgumentsStandWhenProcDisagrees()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [.. "lguest\0a\0"u8, 0xff, 0]);
            Assert.Equal(["a", "\uDCFF"], RawArgs.Read(["a", "\uFFFD"], file));
            Assert.Equal(["x"], RawArgs.Read(["x"], file)); // a count that differs: argv was rewritten, trust the runtime
            Assert.Equal(["y"], RawArgs.Read(["y"], Path.Combine(file, "missing")));
        }
        finally { File.Delete(file); }
    }
}
