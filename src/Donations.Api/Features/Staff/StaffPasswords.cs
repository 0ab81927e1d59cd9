using Donations.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Donations.Api.Features.Staff;

/// <summary>Password rules and hashing for staff accounts (ASP.NET Core Identity's PBKDF2 hasher).</summary>
public sealed class StaffPasswords(IPasswordHasher<StaffUser> hasher)
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 512;

    /// <summary>Null when acceptable, otherwise what is wrong with it.</summary>
    public static string? Problem(string password) => password.Length switch
    {
        < MinimumLength => $"The password must be at least {MinimumLength} characters long.",
        > MaximumLength => $"The password must be at most {MaximumLength} characters long.",
        _ when string.IsNullOrWhiteSpace(password) => "The password must not be blank.",
        _ => null,
    };

    public string Hash(StaffUser user, string password) => hasher.HashPassword(user, password);

    public PasswordVerificationResult Verify(StaffUser user, string password) =>
        hasher.VerifyHashedPassword(user, user.PasswordHash, password);

    /// <summary>
    /// Spends the same time as a real check when there is no account to check against, so the
    /// answer's timing does not tell which emails belong to staff.
    /// </summary>
    public void VerifyAgainstNobody(string password) => hasher.VerifyHashedPassword(Nobody, _nobodysHash.Value, password);

    private static readonly StaffUser Nobody = new() { Email = "", PasswordHash = "", Role = "" };
    private readonly Lazy<string> _nobodysHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));
}
