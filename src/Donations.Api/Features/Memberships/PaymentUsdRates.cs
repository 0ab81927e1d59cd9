using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// What a payment in some currency is worth in US dollars, for the IRS tests on member benefits
/// (their limits are in dollars). A gift's own settlement is read from Stripe only after it is
/// recorded and its receipt issued, so the tests take the rate Stripe applied to the latest payment
/// in that currency settled within <see cref="SettlementRateMaxAge"/> before it, as the finance
/// feature recorded it, and otherwise <c>Memberships:UsdRates:&lt;code&gt;</c>. Null when neither
/// is known: the benefits' value is then deducted, as it always was.
/// </summary>
public sealed class PaymentUsdRates(DonationsDbContext db, IOptionsMonitor<MembershipsOptions> memberships)
{
    /// <summary>Exchange rates move a percent or two in a week; an older settlement says less than the configured rate.</summary>
    public static readonly TimeSpan SettlementRateMaxAge = TimeSpan.FromDays(7);

    private static readonly string[] ChargeTypes = ["charge", "payment"];

    /// <param name="CentsPerMinorUnit">US cents per minor unit of the payment's currency.</param>
    /// <param name="Source">"usd", "settlement" or "configured", for the log.</param>
    public sealed record UsdRate(decimal CentsPerMinorUnit, string Source)
    {
        public static readonly UsdRate Dollars = new(1m, "usd");

        /// <summary>From <c>Memberships:UsdRates</c>: dollars per one major unit of <paramref name="currency"/>.</summary>
        public static UsdRate Configured(decimal dollarsPerUnit, string currency) =>
            new(dollarsPerUnit * 100 / Currencies.Factor(currency), "configured");

        /// <summary>An amount in the payment's minor units, in US cents, rounded as money is.</summary>
        public long ToUsd(long minor) => (long)Math.Round(minor * CentsPerMinorUnit, 0, MidpointRounding.AwayFromZero);
    }

    public async Task<UsdRate?> ForAsync(string currency, DateTime paidAtUtc, CancellationToken ct)
    {
        currency = currency.ToLowerInvariant();
        if (currency == "usd") return UsdRate.Dollars;
        var since = paidAtUtc - SettlementRateMaxAge;
        // Walks the week's gifts in the currency from the newest (ReceivedAt is indexed) to the first
        // whose charge settled in dollars.
        var settled = await db.Donations.AsNoTracking()
            .Where(d => d.Currency == currency && d.ReceivedAt > since && d.ReceivedAt <= paidAtUtc && d.Amount > 0)
            .SelectMany(d => db.StripeBalanceTransactions
                    .Where(t => t.DonationId == d.Id && t.Currency == "usd" && ChargeTypes.Contains(t.Type) && t.Amount > 0),
                (d, t) => new { d.ReceivedAt, Paid = d.Amount, Usd = t.Amount })
            .OrderByDescending(x => x.ReceivedAt)
            .FirstOrDefaultAsync(ct);
        if (settled is not null) return new UsdRate((decimal)settled.Usd / settled.Paid, "settlement");
        return memberships.CurrentValue.UsdRates.TryGetValue(currency, out var dollars) && dollars > 0
            ? UsdRate.Configured(dollars, currency)
            : null;
    }
}
