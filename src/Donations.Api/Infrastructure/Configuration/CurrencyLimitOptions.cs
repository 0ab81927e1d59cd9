namespace Donations.Api.Infrastructure.Configuration;

/// <summary>
/// <c>Donations:CurrencyLimits:&lt;code&gt;:Minimum|Maximum</c>: the gift limits of a currency other
/// than the default, in its major units (<c>jpy: 500</c> is ¥500). Either may be left out; see
/// <see cref="GiftLimits"/> for what then applies.
/// </summary>
public sealed class CurrencyLimitOptions
{
    public decimal? Minimum { get; set; }
    public decimal? Maximum { get; set; }
}
