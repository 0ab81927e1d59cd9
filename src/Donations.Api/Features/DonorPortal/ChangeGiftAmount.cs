using System.Globalization;
using Donations.Api.Features.Checkout;
using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Stripe;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/amount</c> (<c>amount</c> in major units, <c>cover_fee</c>): first a page that
/// shows the new payment, the fee it covers and the tier and benefits it gives; its button sends the
/// same form with <c>confirm=yes</c>, which updates the subscription's item with a new price on the same
/// product (<c>proration_behavior=none</c>: the new amount from the next payment) and the gift metadata
/// (<c>gift_amount</c>, <c>fee_amount</c>, <c>cover_fee</c>) that renewals' receipts and tiers read.
/// </summary>
public static class ChangeGiftAmount
{
    public static async Task<IResult> Handle(HttpContext http, GiftChanges changes, MembershipTiers tiers,
        IOptions<DonationsOptions> donations, IOptions<OrganizationOptions> org)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (await changes.FindAsync(http, form) is not { IsRunning: true } gift) return changes.NotYours(http);
        if (Plan(gift, form, donations.Value, tiers) is not { } plan) return changes.Invalid(http, InvalidAmount(gift, donations.Value));
        if (form["confirm"] != "yes") return Preview(http, org.Value.Name, gift, plan, form);

        return await changes.HandleAsync(http, (g, _, subscription) =>
        {
            if (subscription.Items?.Data is not [{ Price: { } price } item])
                return PlannedChange.Refused("This gift has more than one item at Stripe; please reply to any of our emails and we will change it for you.");
            return PlannedChange.To("amount", plan.Summary, new SubscriptionUpdateOptions
            {
                Items = [Repriced(item, price.ProductId, g.Currency, plan.Gift + plan.Fee, price.Recurring?.Interval ?? g.Interval)],
                ProrationBehavior = "none",
                Metadata = GiftAmountMetadata(plan.Gift, plan.Fee),
            });
        });
    }

    /// <summary>The gift's one item at a new price on its own product: Stripe makes the price from <c>price_data</c>.</summary>
    public static SubscriptionItemOptions Repriced(SubscriptionItem item, string product, string currency, long amount, string interval) => new()
    {
        Id = item.Id,
        PriceData = new SubscriptionItemPriceDataOptions
        {
            Currency = currency,
            Product = product,
            UnitAmount = amount,
            Recurring = new SubscriptionItemPriceDataRecurringOptions { Interval = interval },
        },
    };

    public static Dictionary<string, string> GiftAmountMetadata(long gift, long fee) => new()
    {
        ["gift_amount"] = gift.ToString(CultureInfo.InvariantCulture),
        ["fee_amount"] = fee.ToString(CultureInfo.InvariantCulture),
        ["cover_fee"] = fee > 0 ? "true" : "false",
    };

    private sealed record AmountPlan(long Gift, long Fee, MembershipTiers.Tier? Tier, string Summary);

    private static AmountPlan? Plan(OwnedGift gift, IFormCollection form, DonationsOptions options, MembershipTiers tiers)
    {
        if (Money.ParseMajor(form["amount"], gift.Currency) is not { } major || !Money.IsExact(major, gift.Currency)) return null;
        var amount = Money.ToMinor(major, gift.Currency);
        var (min, max) = GiftLimits.For(options, gift.Currency);
        if (amount < min || amount > max) return null;
        var fee = form["cover_fee"] is var c && (c == "on" || c == "true") ? ProcessingFee.From(options).For(amount, gift.Currency) : 0;
        var tier = tiers.For(MembershipTiers.MonthlyEquivalent(amount, gift.Interval), gift.Currency);
        var summary = $"Your {GiftWords.Name(gift)} gift will be {Money.Format(amount + fee, gift.Currency)} from your next payment on"
            + (fee > 0 ? $" ({Money.Format(amount, gift.Currency)} and {Money.Format(fee, gift.Currency)} to cover processing fees)" : "")
            + (tier is null ? "." : $", in the {tier.Name} tier.");
        return new AmountPlan(amount, fee, tier, summary);
    }

    private static string InvalidAmount(OwnedGift gift, DonationsOptions options)
    {
        var (min, max) = GiftLimits.For(options, gift.Currency);
        return $"Enter an amount between {Money.Format(min, gift.Currency)} and {Money.Format(max, gift.Currency)}.";
    }

    private static IResult Preview(HttpContext http, string organization, OwnedGift gift, AmountPlan plan, IFormCollection form)
    {
        var benefits = plan.Tier switch
        {
            null => "<p>This amount is below our membership tiers: no benefits come with it, and the whole gift is tax-deductible.</p>",
            { Benefits: null } => $"<p>Tier: <strong>{E(plan.Tier.Name)}</strong>.</p>",
            _ => $"<p>Tier: <strong>{E(plan.Tier.Name)}</strong>, with {E(plan.Tier.Benefits)}"
                 + (plan.Tier.BenefitsValue > 0 ? $" (our good-faith estimate of their value: {E(Money.Format(plan.Tier.BenefitsValue, gift.Currency))} a month)" : "")
                 + ".</p>",
        };
        return PortalPage.Render(http, organization, "Confirm the new amount", $"""
            <p>Now: {E(Money.Format(gift.Amount, gift.Currency))} {E(GiftWords.Each(gift))}.</p>
            <p>From your next payment: <strong>{E(Money.Format(plan.Gift + plan.Fee, gift.Currency))}</strong> {E(GiftWords.Each(gift))}{(plan.Fee > 0 ? $", of which {E(Money.Format(plan.Fee, gift.Currency))} covers processing fees" : "")}.</p>
            {benefits}
            <form method="post" action="/manage/gift/amount">
              {AntiforgeryField(http)}
              <input type="hidden" name="{GiftChanges.GiftField}" value="{gift.MembershipId}">
              <input type="hidden" name="{GiftChanges.NonceField}" value="{E(form[GiftChanges.NonceField])}">
              <input type="hidden" name="amount" value="{E(Money.ToMajorString(plan.Gift, gift.Currency))}">
              <input type="hidden" name="cover_fee" value="{(plan.Fee > 0 ? "on" : "off")}">
              <input type="hidden" name="confirm" value="yes">
              <button type="submit">Confirm the new amount</button>
            </form>
            <p><a href="/manage/account">Keep the amount as it is</a></p>
            """);
    }
}
