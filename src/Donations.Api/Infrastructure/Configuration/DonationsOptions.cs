using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class DonationsOptions
{
    public const string Section = "Donations";
    [MinLength(1, ErrorMessage = "Donations:Currencies must list at least one ISO currency code.")]
    // No default elements: the configuration binder appends configured items to an array's
    // existing ones, so a default ["usd"] plus a configured ["usd"] would be ["usd", "usd"].
    // appsettings.json carries the defaults.
    public string[] Currencies { get; set; } = [];
    [Range(typeof(decimal), "0.01", "1000000000", ErrorMessage = "Donations:MinimumAmount must be positive.")]
    public decimal MinimumAmount { get; set; } = 5m;
    [Range(typeof(decimal), "0.01", "1000000000", ErrorMessage = "Donations:MaximumAmount must be positive.")]
    public decimal MaximumAmount { get; set; } = 10000m;
    public decimal[] PresetAmounts { get; set; } = [];
    [Range(typeof(decimal), "0", "50", ErrorMessage = "Donations:ProcessingFeePercent must be between 0 and 50.")]
    public decimal ProcessingFeePercent { get; set; } = 2.9m;
    [Range(typeof(decimal), "0", "100", ErrorMessage = "Donations:ProcessingFeeFixed must be between 0 and 100.")]
    public decimal ProcessingFeeFixed { get; set; } = 0.30m;
    [Required(ErrorMessage = "Donations:PublicBaseUrl is required (used for Checkout return URLs and links in emails).")]
    [Url(ErrorMessage = "Donations:PublicBaseUrl must be an absolute URL.")]
    public string PublicBaseUrl { get; set; } = "";
    /// <summary>Limits of the other currencies by lower-case code (<see cref="GiftLimits"/>).</summary>
    public Dictionary<string, CurrencyLimitOptions> CurrencyLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>
    /// Checkout asks every donor for a full billing address (<c>billing_address_collection=required</c>),
    /// which receipts and statements then print under the donor's name. Off by default: one more form
    /// field costs gifts, and the IRS does not require the donor's address on a receipt.
    /// </summary>
    public bool CollectBillingAddress { get; set; }

    /// <summary>
    /// Donations:Frequencies: what the donate page offers, of <c>one-time</c>, <c>monthly</c> and
    /// <c>annual</c>. Empty (not configured) means one-time and monthly; no default elements, for
    /// the binder's sake (see <see cref="Currencies"/>).
    /// </summary>
    public string[] Frequencies { get; set; } = [];

    public static readonly string[] KnownFrequencies = ["one-time", "monthly", "annual"];
    public string[] OfferedFrequencies => Frequencies.Length == 0 ? ["one-time", "monthly"] : Frequencies.Select(f => f.Trim().ToLowerInvariant()).Distinct().ToArray();
    public bool OffersAnnual => OfferedFrequencies.Contains("annual");

    public string DefaultCurrency => Currencies[0];
}
