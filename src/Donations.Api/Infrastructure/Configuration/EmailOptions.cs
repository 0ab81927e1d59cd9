using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class EmailOptions
{
    public const string Section = "Email";
    public EmailDelivery Delivery { get; set; } = EmailDelivery.Pickup;
    [Required(ErrorMessage = "Email:PickupDirectory is required.")]
    public string PickupDirectory { get; set; } = "data/outbox";
    [Required(ErrorMessage = "Email:From is required (e.g. \"Example Journal <donations@example.org>\").")]
    public string From { get; set; } = "";
    /// <summary>Optional folder of edited templates; a file here replaces the shipped one of the same name.</summary>
    public string? TemplatesDirectory { get; set; }
    public SmtpOptions Smtp { get; set; } = new();
}
