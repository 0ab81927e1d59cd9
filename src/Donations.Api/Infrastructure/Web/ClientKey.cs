using System.Net;
using System.Net.Sockets;

namespace Donations.Api.Infrastructure.Web;

/// <summary>
/// The one rule every per-client rate limit keys on: an IPv4 address as it is, an IPv6 address by
/// its /64, which one subscriber usually holds whole, so rotating through it gains nothing. Behind
/// a reverse proxy this is the client's address only when forwarded headers are configured for
/// that proxy; otherwise it is the proxy's.
/// </summary>
public static class ClientKey
{
    public static string Of(HttpContext http) => Of(http.Connection.RemoteIpAddress);

    public static string Of(IPAddress? ip)
    {
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
