namespace Donations.Api.Infrastructure.Configuration;

public sealed class MembershipsOptions
{
    public const string Section = "Memberships";
    public List<MembershipTier> Tiers { get; set; } = [];
}
