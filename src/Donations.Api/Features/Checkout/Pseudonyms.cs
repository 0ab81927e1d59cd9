using System.Security.Cryptography;
using System.Text;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Stable, unguessable stand-ins for client addresses and emails in logs and limiter keys, so
/// bursts can be spotted without keeping personal data. Keyed from the Stripe secret so every
/// instance agrees and a plain hash cannot be reversed by guessing addresses.
/// </summary>
public sealed class Pseudonyms(IOptions<StripeOptions> stripe)
{
    private readonly byte[] key = string.IsNullOrWhiteSpace(stripe.Value.SecretKey)
        ? RandomNumberGenerator.GetBytes(32)
        : HMACSHA256.HashData(Encoding.UTF8.GetBytes(stripe.Value.SecretKey), "donations/log-pseudonyms"u8);

    public string Of(string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)))[..16];

    public string OfEmail(string email) => Of("email:" + email.Trim().ToLowerInvariant());
}
