using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Donations.Data;
using Microsoft.AspNetCore.DataProtection;

namespace Donations.Api.Infrastructure.Security;

/// <summary>
/// The data-protection key ring: in the database, so every node reads the same keys and a cookie
/// issued by one is valid on all; encrypted there with the certificate of <see cref="KeyRingOptions"/>,
/// so that the database is not the whole secret.
/// </summary>
public static class KeyRingSetup
{
    public const string MissingCertificate =
        "DataProtection:CertificatePath is required outside Development: a .pfx file with an RSA certificate and its private key, "
        + "kept outside the database, that encrypts the data-protection keys stored there (DataProtection__CertificatePath, "
        + "and DataProtection__CertificatePassword if the file has a password).";

    public static WebApplicationBuilder AddProtectedKeyRing(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        var services = builder.Services;
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.Section)
            .Validate(o => isDevelopment || !string.IsNullOrWhiteSpace(o.CertificatePath), MissingCertificate)
            .Validate(o => string.IsNullOrWhiteSpace(o.CertificatePath) || TryLoad(o) is not null,
                "DataProtection:CertificatePath could not be read as a .pfx file holding an RSA certificate with its private key "
                + "(check the path, the file's permissions and DataProtection:CertificatePassword).")
            .ValidateOnStart();
        // Loaded here because data protection takes the certificate itself; a missing or unreadable
        // file is reported by the validation above, with the key's name.
        var settings = builder.Configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var certificate = string.IsNullOrWhiteSpace(settings.CertificatePath) ? null : TryLoad(settings);
        services.AddSingleton(new KeyRingCertificate(certificate));
        services.AddSingleton<SessionStampKey>();

        var dataProtection = services.AddDataProtection().PersistKeysToDbContext<DonationsDbContext>().SetApplicationName("Donations");
        if (certificate is not null) dataProtection.ProtectKeysWithCertificate(certificate);
        return builder;
    }

    internal static X509Certificate2? TryLoad(KeyRingOptions o)
    {
        try
        {
            var cert = X509CertificateLoader.LoadPkcs12FromFile(o.CertificatePath!, o.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            using var rsa = cert.GetRSAPrivateKey();
            return rsa is null ? null : cert;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The configured certificate; null in Development when none is configured.</summary>
public sealed record KeyRingCertificate(X509Certificate2? Value);
