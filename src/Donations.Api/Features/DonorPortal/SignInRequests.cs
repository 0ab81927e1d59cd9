using Microsoft.AspNetCore.DataProtection;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The address a sign-in link was asked for, sealed for the job that looks it up. A job's
/// arguments are shown to staff in the Hangfire dashboard and kept with the job; sealed with the
/// service's data-protection keys (shared by every node through the database) they show nothing,
/// and after <see cref="Lifetime"/> they open no more.
/// </summary>
public sealed class SignInRequests(IDataProtectionProvider provider)
{
    /// <summary>Longer than the job's retries take; a link asked for an hour ago is of no use.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("Donations.DonorPortal.SignInRequest").ToTimeLimitedDataProtector();

    public string Seal(string normalizedEmail) => _protector.Protect(normalizedEmail, Lifetime);

    /// <summary>The address, or null if the request is not one of ours or has expired.</summary>
    public string? Open(string sealedRequest)
    {
        try
        {
            return _protector.Unprotect(sealedRequest);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
