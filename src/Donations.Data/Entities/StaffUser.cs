namespace Donations.Data.Entities;

public static class StaffRoles
{
    public const string Finance = "Finance";
    public const string Admin = "Admin";
    public static readonly string[] All = [Finance, Admin];
}

public sealed class StaffUser
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public bool Disabled { get; set; }
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
}
