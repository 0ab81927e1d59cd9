namespace Donations.Api.Features.Memberships;

/// <summary>What a lifecycle email needs to know about the membership and its donor.</summary>
public sealed record MembershipFacts(
    long MembershipId, long DonorId, string Email, string? Name, string SubscriptionId,
    string Status, string? Tier, long MonthlyAmount, string Currency, DateTime? CurrentPeriodEnd)
{
    /// <summary>The Stripe customer that pays the gift: the only one its card-update link may open.</summary>
    public string? CustomerId { get; init; }
    /// <summary>The donor asked to stop at the end of the period.</summary>
    public bool CancelAtPeriodEnd { get; init; }
    /// <summary>Stripe's price interval: <c>month</c>, or <c>year</c> for an annual gift.</summary>
    public string Interval { get; init; } = "month";
    /// <summary>The part of each payment the donor added to cover processing fees.</summary>
    public long FeeAmount { get; init; }
}

/// <summary>
/// What the <c>membership-*.liquid</c> templates see, ready to print. Liquid names are snake_case:
/// <c>{{ donor_name }}</c>, <c>{{ manage_url }}</c>. Optional values are null, never blank, so a
/// template can test them with <c>{% if tier %}</c>.
/// </summary>
public sealed record MembershipEmailModel
{
    public required string OrganizationName { get; init; }
    public string? DonorName { get; init; }
    /// <summary>What each payment charges, covered fee included, formatted for its currency, e.g. "$20.00".</summary>
    public required string Amount { get; init; }
    /// <summary>"monthly gift" or "annual gift": what the templates call the gift.</summary>
    public string Gift { get; init; } = "monthly gift";
    /// <summary>What the link back (<see cref="DonateUrl"/>) fills in for a gift that has ended, e.g. "a monthly gift of $12.50"; null otherwise.</summary>
    public string? OfferedGift { get; init; }
    public string? Tier { get; init; }
    /// <summary>What the tier includes, as configured under <c>Memberships:Tiers</c>.</summary>
    public string? Benefits { get; init; }
    /// <summary>The donor portal, where the gift and card are managed.</summary>
    public required string ManageUrl { get; init; }
    /// <summary>The donation form, for giving again; prefilled with this gift's amount and frequency.</summary>
    public required string DonateUrl { get; init; }

    /// <summary>Payment failed: why the bank declined, in plain words.</summary>
    public string? DeclineReason { get; init; }
    /// <summary>Payment failed: when Stripe tries again, as a date in the organisation's time zone; null when it will not.</summary>
    public string? NextAttempt { get; init; }
    /// <summary>Payment failed, card expiring: opens Stripe's card update for this donor without signing in.</summary>
    public string? UpdatePaymentUrl { get; init; }
    /// <summary>How long <see cref="UpdatePaymentUrl"/> works, e.g. "3 days".</summary>
    public string? UpdatePaymentValidFor { get; init; }
    /// <summary>Card expiring: e.g. "Visa ending 4242".</summary>
    public string? Card { get; init; }
    /// <summary>Card expiring: the card's last month, e.g. "December 2026".</summary>
    public string? CardExpires { get; init; }
}
