using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Sign-in link tokens: 32 random bytes in base64url (43 characters). Only the SHA-256 of the
/// token is stored, so a copy of the database does not hand out working links.
/// </summary>
public static class SignInTokens
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private const int TokenLength = 43;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the token text (64 characters, the column's width).</summary>
    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Cheap shape check so that junk never reaches the database.</summary>
    public static bool LooksValid(string token) =>
        token.Length == TokenLength && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
