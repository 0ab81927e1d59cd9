using System.ComponentModel.DataAnnotations;
using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class OrganizationOptions
{
    public const string Section = "Organization";
    [Required(ErrorMessage = "Organization:Name is required.")]
    public string Name { get; set; } = "";
    [Required(ErrorMessage = "Organization:LegalName is required (it is printed on every tax receipt).")]
    public string LegalName { get; set; } = "";
    [Required(ErrorMessage = "Organization:TaxId is required (the EIN printed on every tax receipt).")]
    [RegularExpression(@"^\d{2}-\d{7}$", ErrorMessage = "Organization:TaxId must be an EIN like 12-3456789.")]
    public string TaxId { get; set; } = "";
    [Required(ErrorMessage = "Organization:Address is required.")]
    public string Address { get; set; } = "";
    [Required(ErrorMessage = "Organization:Website is required.")]
    public string Website { get; set; } = "";
    [Required(ErrorMessage = "Organization:TimeZone is required (an IANA id such as America/New_York).")]
    public string TimeZone { get; set; } = "America/New_York";
    [Required(ErrorMessage = "Organization:ReceiptSignatory is required.")]
    public string ReceiptSignatory { get; set; } = "";

    /// <summary>Printed on receipts and statements for donors in the United States, or whose country Stripe did not give.</summary>
    [Required(ErrorMessage = "Organization:DeductibilityNotice is required (the deductibility sentence on receipts and statements).")]
    public string DeductibilityNotice { get; set; } = "Contributions are tax-deductible to the extent allowed by law.";

    /// <summary>Printed instead for donors whose billing address Stripe gave in another country, where US law does not decide.</summary>
    [Required(ErrorMessage = "Organization:ForeignDeductibilityNotice is required (the deductibility sentence for donors outside the United States).")]
    public string ForeignDeductibilityNotice { get; set; } =
        "This acknowledgment is made under United States tax law; whether your gift is deductible where you pay taxes depends on the law there.";

    /// <summary>
    /// Whether donors in the US territories (Puerto Rico, Guam, the US Virgin Islands, American Samoa,
    /// the Northern Mariana Islands) read <see cref="DeductibilityNotice"/>. Residents there may file
    /// with their territory's tax authority rather than the IRS; false gives them
    /// <see cref="ForeignDeductibilityNotice"/> instead.
    /// </summary>
    public bool UsTerritoriesGetUsNotice { get; set; } = true;

    /// <summary>
    /// The deductibility sentence for a donor of <paramref name="country"/> (ISO alpha-2; null when
    /// unknown), or else of the country ending their billing address as it was kept
    /// (<paramref name="address"/>, e.g. "…, London SW1A 1AA, GB"; see <see cref="AddressCountry"/>):
    /// donors recorded before the country was kept apart have only that. Unknown reads as the
    /// organisation's own country. The US Minor Outlying Islands have no residents filing elsewhere.
    /// </summary>
    public string DeductibilityNoticeFor(string? country, string? address = null) =>
        (country ?? AddressCountry.Ending(address))?.ToUpperInvariant() switch
        {
            null or "US" or "UM" => DeductibilityNotice,
            { } code when AddressCountry.UsTerritories.Contains(code) => UsTerritoriesGetUsNotice ? DeductibilityNotice : ForeignDeductibilityNotice,
            _ => ForeignDeductibilityNotice,
        };

    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
