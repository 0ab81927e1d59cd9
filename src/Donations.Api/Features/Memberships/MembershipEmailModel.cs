namespace Donations.Api.Features.Memberships;

/// <summary>What a lifecycle email needs to know about the membership and its donor.</summary>
public sealed record MembershipFacts(
    long MembershipId, long DonorId, string Email, string? Name, string SubscriptionId,
    string Status, string? Tier, long MonthlyAmount, string Currency, DateTime? CurrentPeriodEnd);

/// <summary>
/// What the <c>membership-*.liquid</c> templates see, ready to print. Liquid names are snake_case:
/// <c>{{ donor_name }}</c>, <c>{{ manage_url }}</c>. Optional values are null, never blank, so a
/// template can test them with <c>{% if tier %}</c>.
/// </summary>
public sealed class MembershipEmailModel
{
    public required string OrganizationName { get; init; }
    public string? DonorName { get; init; }
    /// <summary>The monthly gift, formatted for its currency, e.g. "$20.00".</summary>
    public required string Amount { get; init; }
    public string? Tier { get; init; }
    /// <summary>What the tier includes, as configured under <c>Memberships:Tiers</c>.</summary>
    public string? Benefits { get; init; }
    /// <summary>The donor portal, where the gift and card are managed.</summary>
    public required string ManageUrl { get; init; }
    /// <summary>The donation form, for giving again.</summary>
    public required string DonateUrl { get; init; }
}
