using System.Text.Json;
using System.Text.Json.Nodes;
using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// What the receipt templates see, as ready-to-print text (amounts formatted for the currency,
/// dates in the organisation's time zone), so an edited template cannot get the figures wrong.
/// Liquid names are snake_case: <c>{{ organization.legal_name }}</c>, <c>{{ deductible_amount }}</c>.
/// Kept as issued (<see cref="ToFacts"/>, stored beside the PDF): a copy prints these, not the gift as it stands later.
/// </summary>
public sealed record ReceiptModel
{
    /// <summary>The facts as stored with the receipt's PDF.</summary>
    public string ToFacts() => JsonSerializer.Serialize(this);

    /// <summary>
    /// Facts stored by <see cref="ToFacts"/>, or null when there are none (a receipt stored before they
    /// were kept) or they cannot be read. Facts are stored for years while this model grows: a member
    /// an older row lacks (its <c>required</c> members included, which the serializer would otherwise
    /// refuse) is taken from <paramref name="live"/>, the receipt rendered from the gift as it stands,
    /// as receipts without facts always were; the members the row has are printed as stored.
    /// </summary>
    public static ReceiptModel? FromFacts(string? facts, Func<ReceiptModel> live)
    {
        if (facts is null) return null;
        try
        {
            // Facts of the current shape, nearly every row a sender reads, have every required
            // member: read as they are, without rendering the live model to fill gaps there are none of.
            return JsonSerializer.Deserialize<ReceiptModel>(facts);
        }
        catch (JsonException)
        {
            // An older shape (a required member missing) or not facts at all.
        }
        try
        {
            if (JsonNode.Parse(facts) is not JsonObject stored) return null;
            Complete(stored, JsonSerializer.SerializeToNode(live())!.AsObject(), typeof(ReceiptModel));
            return stored.Deserialize<ReceiptModel>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Adds to <paramref name="stored"/> every required member of <paramref name="live"/> it lacks, at
    /// any depth: what an older shape cannot be read without. An optional member it lacks stays
    /// unset, as the receipt stated nothing of it (a USD line added since must not appear on a copy
    /// of a receipt that never printed one).
    /// </summary>
    private static void Complete(JsonObject stored, JsonObject live, Type type)
    {
        foreach (var member in JsonSerializerOptions.Default.GetTypeInfo(type).Properties)
        {
            if (!live.TryGetPropertyValue(member.Name, out var value)) continue;
            if (!stored.TryGetPropertyValue(member.Name, out var kept))
            {
                if (member.IsRequired) stored[member.Name] = value?.DeepClone();
            }
            else if (kept is JsonObject inner && value is JsonObject current) Complete(inner, current, member.PropertyType);
        }
    }

    public required OrganizationModel Organization { get; init; }
    public required string Number { get; init; }
    /// <summary>"original", "correction", "void" or "reinstated".</summary>
    public required string Kind { get; init; }
    public bool IsCorrection => Kind == "correction";
    public bool IsVoidNotice => Kind == "void";
    /// <summary>The gift was voided (a lost dispute) and counts again (the dispute was won on appeal).</summary>
    public bool IsReinstatement => Kind == "reinstated";
    public bool IsCopy { get; init; }
    /// <summary>The receipt a correction or void notice replaces, or a reinstated receipt restores.</summary>
    public string? ReplacesNumber { get; init; }
    /// <summary>A correction of the same amount as the receipt it replaces: only the deductible part was determined again.</summary>
    public bool IsDeductibleCorrection { get; init; }
    public required string DonorName { get; init; }
    public required string DonorEmail { get; init; }
    /// <summary>The billing address Checkout collected (<c>Donations:CollectBillingAddress</c>); null when unknown.</summary>
    public string? DonorAddress { get; init; }
    /// <summary>Whether and where the gift is deductible, for the donor's country (<c>Organization:DeductibilityNotice</c> / <c>ForeignDeductibilityNotice</c>).</summary>
    public required string DeductibilityNotice { get; init; }
    /// <summary>False when only the email is known: the documents then print it once, not "a@x.org (a@x.org)".</summary>
    public bool HasDonorName => DonorName != DonorEmail;
    /// <summary>Date of the contribution, e.g. "March 3, 2026".</summary>
    public required string DonationDate { get; init; }
    /// <summary>
    /// The same date as "2026-03-03", on the calendar of <see cref="DonationTimeZone"/> (the time zone's
    /// id): what a later reconciliation compares to tell whether the gift's date moved, untouched by
    /// a new date format or time-zone setting. Null in facts stored before they were kept.
    /// </summary>
    public string? DonationLocalDate { get; init; }
    public string? DonationTimeZone { get; init; }
    /// <summary>A correction of the date: the date the replaced receipt stated; null when it stated this one.</summary>
    public string? ReplacedDonationDate { get; init; }
    public bool IsDateCorrection => ReplacedDonationDate is not null;
    public required string IssuedDate { get; init; }
    /// <summary>What this receipt states, e.g. "$25.00", "¥500".</summary>
    public required string Amount { get; init; }
    /// <summary>ISO code, upper case.</summary>
    public required string Currency { get; init; }
    /// <summary>"one-time" or "monthly".</summary>
    public required string Frequency { get; init; }
    public bool IsMonthly => Frequency == "monthly";
    public bool IsAnnual => Frequency == "annual";
    /// <summary>Benefits were listed with the payment and their value is taken off the deductible amount.</summary>
    public bool HasBenefits { get; init; }
    /// <summary>Benefits were listed but the whole payment is deductible (<see cref="BenefitsReason"/> says why).</summary>
    public bool BenefitsDisregarded => BenefitsReason is not null;
    /// <summary>
    /// Why benefits listed with the payment leave it fully deductible: "insubstantial" (Rev. Proc.
    /// 90-12), "membership-privileges" (Treas. Reg. 1.170A-13(f)(8)(i)(B)), "declined" or
    /// "no-value" (valued at nothing in good faith); null when nothing is disregarded.
    /// </summary>
    public string? BenefitsReason { get; init; }
    public bool BenefitsInsubstantial => BenefitsReason == "insubstantial";
    public bool BenefitsMembershipPrivileges => BenefitsReason == "membership-privileges";
    public bool BenefitsDeclined => BenefitsReason == "declined";
    public bool BenefitsWithoutValue => BenefitsReason == "no-value";
    public string? BenefitsDescription { get; init; }
    public required string BenefitsValue { get; init; }
    public required string DeductibleAmount { get; init; }
    public bool FeeCovered { get; init; }
    public required string FeeAmount { get; init; }
    /// <summary>What was paid, before refunds.</summary>
    public required string PaidAmount { get; init; }
    public required string RefundedAmount { get; init; }
    /// <summary>The gift was taken back through a lost payment dispute rather than a refund.</summary>
    public bool IsDisputeLoss { get; init; }
    /// <summary>
    /// A gift in another currency: <see cref="Amount"/> in US dollars at Stripe's settlement, for
    /// information; null for USD gifts and while the settlement is not known (nothing is guessed).
    /// </summary>
    public string? UsdAmount { get; init; }
    public string? UsdDeductible { get; init; }
    public bool HasUsdEquivalent => UsdAmount is not null;
}
