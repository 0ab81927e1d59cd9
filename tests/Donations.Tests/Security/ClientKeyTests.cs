using System.Net;
using Donations.Api.Infrastructure.Web;

namespace Donations.Tests.Security;

/// <summary>The one client-key rule of every per-client rate limit (checkout, staff sign-in, donor portal).</summary>
public sealed class ClientKeyTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void An_IPv4_address_is_its_own_key_and_an_IPv6_address_is_keyed_by_its_64(string address, string key) =>
        Assert.Equal(key, ClientKey.Of(IPAddress.Parse(address)));

    [Fact]
    public void No_address_is_one_shared_key() => Assert.Equal("unknown", ClientKey.Of((IPAddress?)null));
}
