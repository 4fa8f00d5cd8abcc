using LguestPS.Engine.Diagnostics;
using LguestPS.Engine.Virtio.Net;

namespace LguestPS.Engine.Tests.Virtio.Net;

public class NetAddressTests
{
    private const string Ctx = "--tunnet=test";

    [Theory]
    [InlineData("02:00:00:00:00:01", "02:00:00:00:00:01")]
    [InlineData("52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef")]
    [InlineData("00:1b:21:00:00:00", "00:1b:21:00:00:00")]
    public void MacAddressesParse(string text, string expected) =>
        Assert.Equal(expected, MacAddress.Parse(text, Ctx).ToString());

    [Theory]
    [InlineData("01:00:5e:00:00:01")] // multicast
    [InlineData("ff:ff:ff:ff:ff:ff")] // broadcast
    [InlineData("03:00:00:00:00:01")] // group bit with the local bit
    [InlineData("00:00:00:00:00:00")]
    [InlineData("02:00:00:00:00")]
    [InlineData("02:00:00:00:00:01:02")]
    [InlineData("2:0:0:0:0:1")]
    [InlineData("02-00-00-00-00-01")]
    [InlineData("0g:00:00:00:00:01")]
    [InlineData("+2:00:00:00:00:01")]
    [InlineData("")]
    public void BadMacAddressesAreInvalidArguments(string text)
    {
        var e = Assert.Throws<EngineException>(() => MacAddress.Parse(text, Ctx));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
        Assert.StartsWith(Ctx + ":", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void RandomMacsAreLocallyAdministeredUnicast()
    {
        var seen = new HashSet<MacAddress>();
        for (int i = 0; i < 64; i++)
        {
            var m = MacAddress.Random();
            Assert.True(m.IsLocal);
            Assert.False(m.IsMulticast);
            seen.Add(m);
        }
        Assert.True(seen.Count > 60);
    }

    [Theory]
    [InlineData("169.254.1.1", "169.254.1.1/24")]   // link-local too: a subnet per tap, so two taps' routes never overlap
    [InlineData("169.254.255.254", "169.254.255.254/24")]
    [InlineData("169.254.1.1/16", "169.254.1.1/16")]
    [InlineData("192.168.19.1", "192.168.19.1/24")]
    [InlineData("10.1.2.3", "10.1.2.3/24")]
    [InlineData("169.254.7.1/24", "169.254.7.1/24")]
    [InlineData("10.0.0.1/8", "10.0.0.1/8")]
    public void Ipv4AddressesParseWithTheirPrefix(string text, string expected) =>
        Assert.Equal(expected, Ipv4Net.Parse(text, Ctx).ToString());

    [Theory]
    [InlineData("169.254.1")]
    [InlineData("169.254.1.1.1")]
    [InlineData("169.254.1.256")]
    [InlineData("169.254.01.1")]   // leading zero: octal to some parsers
    [InlineData("0xa9.254.1.1")]
    [InlineData("169.254.-1.1")]
    [InlineData("169.254. 1.1")]
    [InlineData("169.254..1")]
    [InlineData("")]
    [InlineData("fe80::1")]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("169.254.0.0")]      // the network address of its /24
    [InlineData("169.254.255.255")]  // and the broadcast
    [InlineData("192.168.1.255")]
    [InlineData("169.254.1.1/0")]
    [InlineData("169.254.1.1/31")]
    [InlineData("169.254.1.1/")]
    [InlineData("169.254.1.1/x")]
    public void BadIpv4AddressesAreInvalidArguments(string text)
    {
        var e = Assert.Throws<EngineException>(() => Ipv4Net.Parse(text, Ctx));
        Assert.Equal(ErrorId.InvalidArgument, e.Id);
        Assert.StartsWith(Ctx + ":", e.Message);
    }
}
