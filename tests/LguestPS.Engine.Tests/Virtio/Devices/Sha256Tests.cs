using LguestPS.Engine.Virtio.Block;

namespace LguestPS.Engine.Tests.Virtio.Devices;

/// <summary>The engine's own SHA-256 (no OpenSSL in the engine) gives what the platform's gives: the disk serials stay as they were.</summary>
public class Sha256Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]   // the longest message whose padding fits its block
    [InlineData(56)]   // the shortest that needs a second block
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    public void MatchesThePlatformsSha256(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), Sha256.Hash(data));
    }

    [Fact]
    public void MatchesTheFipsExample() =>
        Assert.Equal("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
            Convert.ToHexString(Sha256.Hash("abc"u8)));
}
