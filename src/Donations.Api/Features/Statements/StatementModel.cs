using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Features.Statements;

/// <summary>
/// What the statement templates see, as ready-to-print text (amounts formatted for their currency,
/// dates in the organisation's time zone). Liquid names are snake_case: <c>{{ donor_name }}</c>,
/// <c>{% for gift in gifts %}{{ gift.receipt_number }}{% endfor %}</c>.
/// </summary>
public sealed class StatementModel
{
    public required OrganizationModel Organization { get; init; }
    public required int Year { get; init; }
    public required string DonorName { get; init; }
    public required string DonorEmail { get; init; }
    /// <summary>The billing address Checkout collected (<c>Donations:CollectBillingAddress</c>); null when unknown.</summary>
    public string? DonorAddress { get; init; }
    /// <summary>Whether and where the gifts are deductible, for the donor's country (<c>Organization:DeductibilityNotice</c> / <c>ForeignDeductibilityNotice</c>).</summary>
    public required string DeductibilityNotice { get; init; }
    /// <summary>False when only the email is known: the documents then print it once.</summary>
    public bool HasDonorName => DonorName != DonorEmail;
    public required string IssuedDate { get; init; }
    /// <summary>"2025-S000123"; a corrected statement's is "2025-S000123-2".</summary>
    public required string Number { get; init; }
    /// <summary>The statement a corrected statement replaces (the first one issued for the year); null on the first.</summary>
    public string? ReplacesNumber { get; init; }
    public string? ReplacesIssuedDate { get; init; }
    public bool IsCorrection => ReplacesNumber is not null;
    /// <summary>Every gift that still counts, oldest first.</summary>
    public required List<StatementGiftModel> Gifts { get; init; }
    /// <summary>One per currency.</summary>
    public required List<StatementTotalModel> Totals { get; init; }
    public bool HasPartialRefunds { get; init; }
    /// <summary>Gifts refunded in full (or reversed by a lost dispute): not listed, not counted.</summary>
    public int RefundedInFull { get; init; }
    public bool HasRefundedInFull => RefundedInFull > 0;
    public bool HasBenefits { get; init; }
    /// <summary>Some gifts are disputed with the donor's bank and the disputes are not closed.</summary>
    public bool HasOpenDisputes { get; init; }
    /// <summary>Some gifts came with benefits that leave them fully deductible.</summary>
    public bool HasDisregardedBenefits { get; init; }
    /// <summary>Some gifts came with benefits and some did not.</summary>
    public bool HasGiftsWithoutBenefits { get; init; }
    /// <summary>Some gifts are in currencies other than USD: the statement adds a yearly USD total, for information.</summary>
    public bool HasOtherCurrencies { get; init; }
    /// <summary>Every gift in US dollars, other currencies at Stripe's settlement.</summary>
    public string? UsdTotal { get; init; }
    public string? UsdDeductibleTotal { get; init; }
    /// <summary>Gifts in other currencies left out of the USD totals because their settlement is not known yet.</summary>
    public int UsdUnknown { get; init; }
    /// <summary>Distinct descriptions of the goods or services received, e.g. "Quarterly print edition".</summary>
    public required List<string> Benefits { get; init; }
}

public sealed class StatementGiftModel
{
    /// <summary>yyyy-MM-dd in the organisation's time zone.</summary>
    public required string Date { get; init; }
    /// <summary>What counts as given: paid minus refunded.</summary>
    public required string Amount { get; init; }
    public required string Paid { get; init; }
    public required string Refunded { get; init; }
    public bool IsPartiallyRefunded { get; init; }
    /// <summary>ISO code, upper case.</summary>
    public required string Currency { get; init; }
    /// <summary>"one-time" or "monthly".</summary>
    public required string Frequency { get; init; }
    public bool IsMonthly => Frequency == "monthly";
    public bool IsAnnual => Frequency == "annual";
    /// <summary>The receipt standing for the gift; empty while it is still being issued.</summary>
    public required string ReceiptNumber { get; init; }
    public bool HasBenefits { get; init; }
    public string? BenefitsDescription { get; init; }
    /// <summary>Fair market value of the benefits for this payment.</summary>
    public required string BenefitsValue { get; init; }
    public required string Deductible { get; init; }
    /// <summary>Benefits listed with the gift but disregarded (receipts' reasons: "insubstantial", ...); null otherwise.</summary>
    public string? BenefitsDisregarded { get; init; }
    /// <summary>The payment is disputed with the donor's bank and the dispute is not closed.</summary>
    public bool InOpenDispute { get; init; }
    /// <summary>A gift in another currency, in US dollars at Stripe's settlement; null for USD gifts and while unknown.</summary>
    public string? UsdAmount { get; init; }
    public string? UsdDeductible { get; init; }
}

public sealed class StatementTotalModel
{
    public required string Currency { get; init; }
    public required int Gifts { get; init; }
    /// <summary>Total contributions, net of partial refunds.</summary>
    public required string Total { get; init; }
    public required string Paid { get; init; }
    public required string Refunded { get; init; }
    public bool HasRefunds { get; init; }
    public required string BenefitsValue { get; init; }
    public bool HasBenefits { get; init; }
    public required string Deductible { get; init; }
}
