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

    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
