using Donations.Api.Features.Receipts;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>Donations stored straight through the DbContext, the way the webhook handlers leave them.</summary>
public static class Gifts
{
    /// <summary>3 March 2026, 15:00 UTC: 10:00 in New York.</summary>
    public static readonly DateTime March3 = new(2026, 3, 3, 15, 0, 0, DateTimeKind.Utc);

    public static Task<long> SeedAsync(this DonationsApp app, Action<Donation>? shape = null, string? email = null, string? name = "Ada Lovelace") =>
        app.WithDbAsync(async db =>
        {
            var key = Guid.NewGuid().ToString("N");
            var donation = new Donation
            {
                SettlementKey = "pi:pi_" + key,
                Donor = new Donor
                {
                    Email = email ?? $"donor-{key}@example.com",
                    Name = name,
                    CreatedAt = DateTime.UtcNow,
                },
                Amount = 2500,
                Currency = "usd",
                Frequency = DonationFrequency.OneTime,
                Status = DonationStatus.Succeeded,
                ReceivedAt = March3,
                CreatedAt = DateTime.UtcNow,
                StripePaymentIntentId = "pi_" + key,
                StripeChargeId = "ch_" + key,
            };
            shape?.Invoke(donation);
            db.Donations.Add(donation);
            await db.SaveChangesAsync();
            return donation.Id;
        });

    public static void ScheduleReceipts(this DonationsApp app, long donationId) =>
        app.Services.GetRequiredService<ReceiptScheduler>().Schedule(donationId);

    /// <summary>What a webhook handler does on a refund: update the donation, then schedule.</summary>
    public static async Task RefundAsync(this DonationsApp app, long donationId, long refunded)
    {
        await app.WithDbAsync(async db =>
        {
            var d = await db.Donations.FindAsync(donationId);
            d!.RefundedAmount = d.ChargeRefundedAmount = refunded;
            d.Status = refunded >= d.Amount ? DonationStatus.Refunded : DonationStatus.PartiallyRefunded;
            d.UpdatedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        });
        app.ScheduleReceipts(donationId);
    }

    public static async Task<string> EmailOfAsync(this DonationsApp app, long donationId) =>
        await app.WithDbAsync(db => Task.FromResult(db.Donations.Where(d => d.Id == donationId).Select(d => d.Donor!.Email).Single()));
}
