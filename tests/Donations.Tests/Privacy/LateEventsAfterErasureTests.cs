using System.Text.Json.Nodes;
using Donations.Api.Features.Privacy;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Privacy;

public sealed class LateEventsAfterErasureTests
{
    private const string Email = "ada.lovelace@example.org";
    private const string Name = "Ada Lovelace";
    private const string Street = "12 Analytical Row";

    [Fact]
    public async Task Events_arriving_after_an_erasure_keep_the_books_but_bring_back_no_name_email_or_address_and_mail_nobody()
    {
        var logs = new LogCapture();
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.ConfigureServices = logs.AddTo; });
        var first = new OneTimeGift(Amount: 2500, Email: Email, Name: Name) { CustomerId = "cus_ada" };
        // Two more payments made before the erasure, whose events come after it: one by Ada's Stripe
        // customer with a full billing address, one as a guest, known only by the address typed.
        var sameCustomer = new OneTimeGift(Amount: 1500, Email: Email, Name: Name) { CustomerId = "cus_ada" };
        var asGuest = new OneTimeGift(Amount: 1000, Email: Email, Name: Name);
        await app.DeliverAndProcessAsync(first.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var donorId = await app.WithDbAsync(db => db.Donors.Select(d => d.Id).SingleAsync());
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(DonorErasure.Outcome.Erased,
                (await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(Email, "test", CancellationToken.None)).Outcome);
        var sentBefore = app.Smtp!.Messages.Count;

        await app.DeliverAndProcessAsync(WithBillingAddress(sameCustomer.CheckoutCompleted()), WithBillingAddress(asGuest.CheckoutCompleted()),
            WithEvidence(first.Dispute("charge.dispute.created", "needs_response")));
        await app.DeliverAndProcessAsync(WithEvidence(first.Dispute("charge.dispute.closed", "lost")));
        await app.WaitForIdleJobsAsync();

        // No record under the old address came back, and the erased one stays a pseudonym.
        var donor = Assert.Single(await app.WithDbAsync(db => db.Donors.ToListAsync()));
        Assert.Equal((DonorErasure.PseudonymEmail(donorId), DonorErasure.PseudonymName(donorId), (string?)null), (donor.Email, donor.Name, donor.Address));
        // The books have every payment, each with its receipt number, and the lost dispute.
        var gifts = await app.WithDbAsync(db => db.Donations.OrderBy(d => d.Amount)
            .Select(d => new { d.DonorId, d.Amount, d.DisputeStatus, Receipts = d.Receipts.Count(r => r.Kind == ReceiptKind.Original) }).ToListAsync());
        Assert.Equal([1000L, 1500L, 2500L], gifts.Select(g => g.Amount));
        Assert.All(gifts, g => Assert.Equal((donorId, 1), (g.DonorId, g.Receipts)));
        Assert.Equal("lost", gifts.Single(g => g.Amount == 2500).DisputeStatus);
        // Nothing was mailed (receipts and the void notice go to the pseudonym, which is never sent to), nothing kept or logged names Ada.
        Assert.Equal(sentBefore, app.Smtp.Messages.Count);
        var payloads = await app.WithDbAsync(db => db.StripeEvents.Select(e => e.Payload).ToListAsync());
        var texts = payloads.Concat(logs.Entries.SelectMany(e => e.Texts()));
        foreach (var text in texts)
            foreach (var personal in new[] { Email, Name, Street })
                Assert.DoesNotContain(personal, text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_payment_made_after_the_erasure_is_a_new_gift_from_a_new_record()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var before = new OneTimeGift(Amount: 2500, Email: Email, Name: Name);
        await app.DeliverAndProcessAsync(before.CheckoutCompleted());
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(Email, "test", CancellationToken.None);

        var after = new OneTimeGift(Amount: 4000, Email: Email, Name: Name) { PaidAt = DateTimeOffset.UtcNow.AddMinutes(1) };
        await app.DeliverAndProcessAsync(after.CheckoutCompleted());

        var donors = await app.WithDbAsync(db => db.Donors.OrderBy(d => d.Id).Select(d => new { d.Email, d.ErasedAt, Total = d.Donations.Sum(g => g.Amount) }).ToListAsync());
        Assert.Equal(2, donors.Count);
        Assert.Equal((2500L, true), (donors[0].Total, donors[0].ErasedAt is not null));
        Assert.Equal((Email, 4000L, true), (donors[1].Email, donors[1].Total, donors[1].ErasedAt is null));
    }

    /// <summary>The session's customer details with a full postal address, as Checkout collects it when asked to.</summary>
    private static string WithBillingAddress(string eventJson)
    {
        var root = JsonNode.Parse(eventJson)!;
        var address = root["data"]!["object"]!["customer_details"]!["address"]!;
        address["line1"] = Street;
        address["city"] = "Cambridge";
        address["state"] = "MA";
        return root.ToJsonString();
    }

    /// <summary>A dispute whose evidence carries what the bank was told about the buyer.</summary>
    private static string WithEvidence(string eventJson)
    {
        var root = JsonNode.Parse(eventJson)!;
        root["data"]!["object"]!["evidence"] = new JsonObject
        {
            ["customer_email_address"] = Email,
            ["customer_name"] = Name,
            ["billing_address"] = $"{Street}, Cambridge, MA 02139",
            ["customer_purchase_ip"] = "203.0.113.7",
        };
        return root.ToJsonString();
    }
}
