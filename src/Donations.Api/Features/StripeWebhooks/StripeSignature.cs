using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Donations.Api.Features.StripeWebhooks;

public enum SignatureCheck { Valid, Missing, Malformed, Stale, Mismatch }

/// <summary>
/// Verifies <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=...]</c>: HMAC-SHA256 of
/// <c>"{t}." + raw body</c> under any configured <c>whsec_</c> secret (several during rotation).
/// Done on the raw bytes rather than through Stripe.net's string-based check so that nothing is
/// re-encoded and no exception is thrown per forged request.
/// </summary>
public static class StripeSignature
{
    public static SignatureCheck Verify(ReadOnlySpan<byte> body, string? header, IReadOnlyList<string> secrets,
        TimeSpan tolerance, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header)) return SignatureCheck.Missing;

        long? timestamp = null;
        var signatures = new List<byte[]>(2);
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t)) timestamp = t;
            else if (key == "v1" && value.Length == 64 && TryFromHex(value) is { } sig) signatures.Add(sig);
        }
        if (timestamp is null || signatures.Count == 0) return SignatureCheck.Malformed;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp.Value) > (long)tolerance.TotalSeconds) return SignatureCheck.Stale;

        var prefix = Encoding.ASCII.GetBytes(timestamp.Value.ToString(CultureInfo.InvariantCulture) + ".");
        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in secrets)
        {
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
            hmac.AppendData(prefix);
            hmac.AppendData(body);
            hmac.GetHashAndReset(expected);
            foreach (var candidate in signatures)
                if (CryptographicOperations.FixedTimeEquals(expected, candidate)) return SignatureCheck.Valid;
        }
        return SignatureCheck.Mismatch;
    }

    private static byte[]? TryFromHex(string hex)
    {
        try { return Convert.FromHexString(hex); }
        catch (FormatException) { return null; }
    }
}
