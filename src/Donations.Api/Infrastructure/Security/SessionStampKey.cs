using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Donations.Api.Infrastructure.Security;

/// <summary>
/// The HMAC key for values a session carries and the database can check but must not be able to
/// produce (the staff session stamp). Derived from the key-ring certificate's private key: an
/// RSA PKCS#1 v1.5 signature is deterministic, so every node holding the certificate derives the
/// same key, and nobody without it can. In Development without a certificate, a fixed key.
/// </summary>
public sealed class SessionStampKey(KeyRingCertificate certificate)
{
    private const string Label = "Donations session stamp key v1";
    private readonly Lazy<byte[]> _key = new(() =>
    {
        using var rsa = certificate.Value?.GetRSAPrivateKey();
        var material = rsa is null
            ? Encoding.UTF8.GetBytes(Label + " (development, no certificate)")
            : rsa.SignData(Encoding.UTF8.GetBytes(Label), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return SHA256.HashData(material);
    });

    /// <summary>Hex HMAC-SHA256 of <paramref name="value"/>, first 32 characters.</summary>
    public string Of(string value) => Convert.ToHexString(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes(value)))[..32];
}
