using System.Security.Cryptography;
using Donations.Api.Infrastructure.Security;
using Donations.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Security;

/// <summary>A copy of the database alone must not be the keys to the service.</summary>
public sealed class KeyRingTests
{
    [Fact]
    public async Task The_key_ring_stored_in_the_database_holds_no_plaintext_key()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        Protect(app, "sealed");

        var stored = await app.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync());

        var key = Assert.Single(stored);
        Assert.Contains("<encryptedSecret", key);
        Assert.Contains("EncryptedData", key);
        Assert.DoesNotContain("<masterKey", key);
    }

    [Fact]
    public async Task An_app_with_the_same_database_but_without_the_certificate_cannot_open_what_the_service_sealed()
    {
        await using var service = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var sealedText = Protect(service, "admin session");

        // Development needs no certificate; another certificate is no better.
        await using var withNone = await DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.Environment = "Development";
            o.ConnectionString = service.ConnectionString;
            o.Settings["DataProtection:CertificatePath"] = null;
        });
        await using var withAnother = await DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.ConnectionString = service.ConnectionString;
            o.Settings["DataProtection:CertificatePath"] = TestKeyRing.NewCertificateFile();
        });

        Assert.ThrowsAny<CryptographicException>(() => Protector(withNone).Unprotect(sealedText));
        Assert.ThrowsAny<CryptographicException>(() => Protector(withAnother).Unprotect(sealedText));
        Assert.Equal("admin session", Protector(service).Unprotect(sealedText));
    }

    [Fact]
    public async Task Staff_session_stamps_depend_on_the_certificate_not_only_on_the_stored_password_hash()
    {
        await using var one = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await using var other = await DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.Settings["DataProtection:CertificatePath"] = TestKeyRing.NewCertificateFile();
        });
        const string storedHash = "AQAAAAIAAYagAAAAEExampleStoredPasswordHash==";

        var stamp = one.Services.GetRequiredService<SessionStampKey>().Of(storedHash);

        Assert.Equal(stamp, one.Services.GetRequiredService<SessionStampKey>().Of(storedHash));
        Assert.NotEqual(stamp, other.Services.GetRequiredService<SessionStampKey>().Of(storedHash));
        Assert.DoesNotContain(stamp[..16], Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storedHash))));
    }

    private static IDataProtector Protector(DonationsApp app) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Donations.Tests.KeyRing");

    private static string Protect(DonationsApp app, string text) => Protector(app).Protect(text);
}
