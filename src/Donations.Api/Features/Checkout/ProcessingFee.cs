using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// What a reader adds when they tick "cover the processing fee".
/// <para>
/// Stripe takes its percentage of the whole charge, fee included, plus the fixed part. Adding
/// <c>gift × pct + fixed</c> would leave the organisation short by the percentage of the fee
/// itself (a 50.00 gift nets 49.95), so the charge is grossed up instead:
/// </para>
/// <code>charged = ceil((gift + fixed) / (1 − pct / 100)),  fee = charged − gift</code>
/// <para>
/// all in integer minor units, rounded up so the organisation nets at least the gift however
/// Stripe rounds its own fee (50.00 at 2.9% + 0.30: charged 51.81, fee 1.81; Stripe keeps
/// 1.80, the organisation nets 50.01). In three-decimal currencies the charge is rounded up
/// again to Stripe's step of 10 minor units, so gift plus fee is a chargeable amount. The fixed
/// part (<c>Donations:ProcessingFeeFixed</c>) is major units of the chosen currency, converted by
/// <see cref="Money.ToMinor"/>'s rounding (0.30 becomes 30 cents, or 0 yen). The page shows this
/// very number, and its script computes it with the same integer arithmetic.
/// </para>
/// </summary>
public sealed record ProcessingFee(long PercentNumerator, long PercentDenominator, decimal Percent, decimal FixedMajor)
{
    public static ProcessingFee From(DonationsOptions options)
    {
        // 2.9 % is 29/1000 of the charge: numerator 29, denominator 100 × 10^scale.
        var scale = Math.Min((int)options.ProcessingFeePercent.Scale, 6);
        var denominator = 100 * (long)Math.Pow(10, scale);
        var numerator = (long)Math.Round(options.ProcessingFeePercent * (denominator / 100), MidpointRounding.AwayFromZero);
        return new ProcessingFee(numerator, denominator, options.ProcessingFeePercent, options.ProcessingFeeFixed);
    }

    public long FixedMinor(string currency) => Money.ToMinor(FixedMajor, currency);

    /// <summary>The amount added to <paramref name="gift"/> (minor units) so the organisation nets the whole gift.</summary>
    public long For(long gift, string currency)
    {
        if (gift <= 0) return 0;
        var gross = (Int128)(gift + FixedMinor(currency)) * PercentDenominator;
        var divisor = (Int128)(PercentDenominator - PercentNumerator);
        var charged = (gross + divisor - 1) / divisor;
        var step = Currencies.ChargeStep(currency);
        charged = (charged + step - 1) / step * step;
        return (long)charged - gift;
    }

    /// <summary>"2.9% + $0.30" as the page describes the fee before an amount is chosen.</summary>
    public string Describe(string currency)
    {
        var fixedPart = FixedMinor(currency);
        var percent = Percent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%";
        return fixedPart > 0 ? $"{percent} + {Money.Format(fixedPart, currency)}" : percent;
    }
}
