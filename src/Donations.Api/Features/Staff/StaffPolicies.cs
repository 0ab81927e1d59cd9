namespace Donations.Api.Features.Staff;

/// <summary>Authorization policy names for staff-only endpoints.</summary>
public static class StaffPolicies
{
    /// <summary>Any signed-in staff member (Finance or Admin).</summary>
    public const string Finance = "staff.finance";
    /// <summary>Admins only.</summary>
    public const string Admin = "staff.admin";
}
