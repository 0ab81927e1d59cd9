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

    /// <summary>The deductibility sentence for a donor of <paramref name="country"/> (ISO alpha-2; null when unknown).</summary>
    public string DeductibilityNoticeFor(string? country) =>
        country is null || country == "US" ? DeductibilityNotice : ForeignDeductibilityNotice;

    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
