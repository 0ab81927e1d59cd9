using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Features.Receipts;

/// <summary><c>Receipts:*</c>: how receipts wait for what they must state.</summary>
public sealed class ReceiptsOptions
{
    public const string Section = "Receipts";

    /// <summary>
    /// How long the first receipt of a gift in another currency is held, from when the gift was
    /// recorded, until Stripe's settlement (the USD equivalent it prints) is known. With
    /// asynchronous capture the settlement follows the payment by seconds to minutes; after this
    /// the receipt goes out without the USD line. Zero issues at once, as for dollar gifts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Receipts:SettlementWait must be between 0 and 1 hour.")]
    public TimeSpan SettlementWait { get; set; } = TimeSpan.FromMinutes(10);
}
