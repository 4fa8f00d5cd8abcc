using LguestPS.Engine.Boot;
using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;

namespace LguestPS.Engine.Tests.Boot;

/// <summary>
/// Kernel files are untrusted: whatever bytes are in the headers, opening and loading one either works or
/// throws an EngineException. Never an IndexOutOfRange, an overflow, or a write outside guest RAM.
/// </summary>
public class HostileImageTests : IDisposable
{
    private readonly TempFiles _files = new();
    public void Dispose() => _files.Dispose();

    public static TheoryData<string> Kinds => new() { "bzImage", "elf" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RandomlyCorruptedHeadersFailOnlyWithEngineExceptions(string kind)
    {
        var rng = new Random(kind == "elf" ? 1 : 2);
        byte[] good = kind == "elf" ? ElfBuilder.Kernel().Build() : new BzImageBuilder().Build();
        // The bytes a parser looks at: the ELF header and program headers, or the bzImage's setup header.
        (int from, int to) hot = kind == "elf" ? (0, 64 + 3 * 56) : (0x1F0, 0x270);
        using var mem = new GuestMemory(64 << 20);
        int loaded = 0, refused = 0;
        for (int round = 0; round < 1500; round++)
        {
            var bytes = (byte[])good.Clone();
            int flips = rng.Next(1, 6);
            for (int i = 0; i < flips; i++)
            {
                int at = rng.Next(hot.from, hot.to);
                bytes[at] = rng.Next(4) switch
                {
                    0 => 0, 1 => 0xFF, 2 => (byte)(bytes[at] ^ (1 << rng.Next(8))), _ => (byte)rng.Next(256),
                };
            }
            if (rng.Next(10) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            try
            {
                using var k = KernelImage.Open(_files.Write(bytes));
                BootLoader.Load(mem, k, null, "console=ttyS0", 1 + rng.Next(4), PciIntx.GsiFor);
                loaded++;
            }
            catch (EngineException)
            {
                refused++;
            }
        }
        Assert.True(loaded > 0 && refused > 0, $"loaded {loaded}, refused {refused}: the corruption is not exercising both paths");
    }
}
