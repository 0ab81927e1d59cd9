using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// Certificates for <c>DataProtection:CertificatePath</c>, which the service requires outside
/// Development: one shared by every app a test run starts (so apps on one database read each
/// other's keys, as nodes do), and fresh ones for tests about other holders.
/// </summary>
public static class TestKeyRing
{
    private static readonly Lazy<string> Shared = new(() => NewCertificateFile());

    public static string CertificatePath => Shared.Value;

    /// <summary>A new self-signed RSA certificate with its private key, written as a .pfx file.</summary>
    public static string NewCertificateFile(string? password = null)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Donations key ring (tests)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var directory = Path.Combine(Path.GetTempPath(), "donations-tests", "keyring");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx, password));
        return path;
    }
}
