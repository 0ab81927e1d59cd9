using System.ComponentModel.DataAnnotations;

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

    /// <summary>The United States and its territories, which Stripe gives their own ISO codes.</summary>
    public static readonly string[] UnitedStates = ["US", "PR", "GU", "VI", "AS", "MP", "UM"];

    /// <summary>
    /// The deductibility sentence for a donor of <paramref name="country"/> (ISO alpha-2; null when
    /// unknown), or else of the country ending their billing address as it was kept
    /// (<paramref name="address"/>, e.g. "…, London SW1A 1AA, GB"): donors recorded before the
    /// country was kept apart have only that.
    /// </summary>
    public string DeductibilityNoticeFor(string? country, string? address = null) =>
        (country ?? CountryEnding(address)) is { } known && !UnitedStates.Contains(known.ToUpperInvariant())
            ? ForeignDeductibilityNotice
            : DeductibilityNotice;

    private static string? CountryEnding(string? address) =>
        address?.Split(',').LastOrDefault()?.Trim() is { Length: 2 } code && code.All(char.IsAsciiLetterUpper) ? code : null;

    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
