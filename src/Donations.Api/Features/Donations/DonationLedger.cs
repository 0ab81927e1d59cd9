using Donations.Api.Infrastructure.Data;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Donations;

/// <summary>
/// Records settled payments: one donation per settlement key, whichever event describing the
/// payment comes first; later ones only fill in what is still missing, move the date earlier, and
/// (the paid invoice) set the amount. Unsaved: the caller's
/// SaveChanges commits it, and a concurrent insert of the same key makes the whole event re-run.
/// </summary>
public sealed class DonationLedger(DonationsDbContext db, DonorDirectory donors, IMonthlyGiftBenefits benefits, TimeProvider time,
    IOptionsMonitor<OrganizationOptions> organization)
{
    private int TaxYear(DateTime utc) => Infrastructure.Dates.Local(utc, organization.CurrentValue.GetTimeZone()).Year;

    public async Task<Donation> RecordAsync(SettledPayment p, StripeEventEffects effects, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var donation = await FindByKeyAsync(p.SettlementKey, ct);
        (long Amount, DateTime At)? judged = null;
        if (donation is null)
        {
            var donor = await donors.FindOrAddAsync(p.Donor, p.ReceivedAt, ct)
                        ?? throw new StripeEventNotReadyException($"an email for Stripe customer {p.Donor.StripeCustomerId ?? "(none)"}");
            donation = new Donation
            {
                SettlementKey = p.SettlementKey,
                Donor = donor,
                Amount = p.Amount,
                Currency = p.Currency.ToLowerInvariant(),
                Frequency = p.Frequency,
                Status = DonationStatus.Succeeded,
                ReceivedAt = p.ReceivedAt,
                CreatedAt = now,
            };
            db.Donations.Add(donation);
            effects.Raise(new GiftRecorded(donation));
        }
        else
        {
            judged = (donation.Amount, donation.ReceivedAt);
            donation.UpdatedAt = now;
            if (p.IsAuthoritative) donation.Amount = p.Amount;
            // Each source dates the gift as near as it can to when the donor paid, and the earliest
            // is the nearest whatever the order: an invoice that knows only when a bank debit
            // settled is later than the Checkout the donor completed.
            if (p.ReceivedAt < donation.ReceivedAt) donation.ReceivedAt = p.ReceivedAt;
            await donors.CompleteAsync(donation.DonorId, p.Donor, p.ReceivedAt, ct);
        }

        donation.StripeCheckoutSessionId ??= p.CheckoutSessionId;
        donation.StripePaymentIntentId ??= p.PaymentIntentId;
        donation.StripeChargeId ??= p.ChargeId;
        donation.StripeInvoiceId ??= p.InvoiceId;
        donation.StripeSubscriptionId ??= p.SubscriptionId;
        if (!donation.FeeCovered && p.Metadata.FeeCovered)
        {
            donation.FeeCovered = true;
            donation.FeeAmount = Math.Min(p.Metadata.FeeAmount, donation.Amount);
        }
        donation.Campaign ??= p.Metadata.Campaign;
        donation.Source ??= p.Metadata.Source;
        donation.UtmMedium ??= p.Metadata.UtmMedium;
        donation.UtmContent ??= p.Metadata.UtmContent;
        donation.UtmTerm ??= p.Metadata.UtmTerm;

        if (donation.MembershipId is null && donation.Membership is null && donation.StripeSubscriptionId is { } sub)
            donation.Membership = db.Memberships.Tracked().FirstOrDefault(m => m.StripeSubscriptionId == sub)
                                  ?? await db.Memberships.SingleOrDefaultAsync(m => m.StripeSubscriptionId == sub, ct);
        // The tier follows the gift itself: a fee the donor chose to cover does not buy a higher tier.
        if (donation.Frequency != DonationFrequency.OneTime && donation.BenefitsDescription is null && donation.BenefitsValue == 0
            && await benefits.ForAsync(donation.Amount - donation.FeeAmount, donation.Amount, donation.Currency, donation.ReceivedAt,
                donation.Frequency == DonationFrequency.Annual ? 1 : 12, ct) is { } earned)
        {
            donation.BenefitsValue = earned.Value;
            donation.BenefitsDescription = earned.Description.Length > 500 ? earned.Description[..500] : earned.Description;
            // Declined in the portal (the subscription's metadata as of this invoice): still listed, never deducted.
            donation.BenefitsTreatment = p.Metadata.BenefitsDeclined ? BenefitsTreatment.Declined : earned.Treatment;
        }
        else if (judged is { } before && (before.Amount != donation.Amount || TaxYear(before.At) != TaxYear(donation.ReceivedAt)))
            await RejudgeBenefitsAsync(donation, ct);

        DonationStatusRules.Apply(donation);
        effects.Raise(new DonationChanged(donation));
        effects.Created(donation.StripePaymentIntentId, donation.StripeChargeId, donation.StripeInvoiceId,
            donation.StripeSubscriptionId, p.Donor.StripeCustomerId);
        return donation;
    }

    /// <summary>
    /// Judges again whether the IRS lets the gift's benefits be disregarded, once what they were
    /// judged on has changed: a partial refund or a lost dispute leaves less given for the same
    /// benefits (and a dispute won back restores it), a paid invoice sets the amount, a date moved
    /// into another tax year brings that year's limits. Callers ask only on such a change. The
    /// benefits and their value stay as recorded; declined ones stay declined; a gift with nothing
    /// left given, or whose benefits cannot be judged again (see <see cref="IMonthlyGiftBenefits.RejudgeAsync"/>),
    /// keeps its judgement.
    /// </summary>
    public async Task RejudgeBenefitsAsync(Donation d, CancellationToken ct)
    {
        if (d.Frequency == DonationFrequency.OneTime || d.BenefitsValue <= 0 || d.BenefitsDescription is null
            || d.BenefitsTreatment == BenefitsTreatment.Declined) return;
        var kept = d.Amount - d.RefundedAmount;
        if (kept <= 0) return;
        if (await benefits.RejudgeAsync(d.BenefitsDescription, d.BenefitsValue, d.Amount, kept, d.Currency, d.ReceivedAt,
                d.Frequency == DonationFrequency.Annual ? 1 : 12, ct) is { } treatment)
            d.BenefitsTreatment = treatment;
    }

    public async Task<Donation?> FindByKeyAsync(string settlementKey, CancellationToken ct) =>
        db.Donations.Tracked().FirstOrDefault(d => d.SettlementKey == settlementKey)
        ?? await ByKey.For(db)(db, settlementKey, ct);

    private static readonly CompiledQueries<Func<DonationsDbContext, string, CancellationToken, Task<Donation?>>> ByKey =
        new(() => EF.CompileAsyncQuery((DonationsDbContext db, string key, CancellationToken _) =>
            db.Donations.SingleOrDefault(d => d.SettlementKey == key)));
}
