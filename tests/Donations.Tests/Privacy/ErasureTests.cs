using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Donations.Api.Features.Privacy;
using Donations.Api.Infrastructure;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Privacy;

public sealed class ErasureTests
{
    private const string Email = "Ada.Lovelace@Example.org";
    private const string Name = "Ada Lovelace";

    [Fact]
    public async Task An_erased_donors_name_and_email_appear_nowhere_afterwards_while_the_gifts_and_totals_stay()
    {
        var logs = new LogCapture();
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.UseSmtp = true; o.ConfigureServices = logs.AddTo; });
        var ada = new OneTimeGift(Amount: 2500, Email: Email, Name: Name) { CustomerId = "cus_ada" };
        var grace = new OneTimeGift(Amount: 4000, Email: "grace@example.org", Name: "Grace Hopper") { CustomerId = "cus_grace" };
        app.Stripe.Put(new JsonObject
        {
            ["id"] = "cus_ada", ["object"] = "customer", ["email"] = Email.ToLowerInvariant(), ["name"] = Name, ["phone"] = "+1 555 0100",
            ["created"] = 1_700_000_000L, ["livemode"] = false, ["metadata"] = new JsonObject { ["origin"] = "donate_page" },
        });
        await app.DeliverAndProcessAsync(ada.CheckoutCompleted(), grace.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var finance = await StaffTestSupport.SignedInAsync(app, "Finance");
        var before = await finance.GetStringAsync("/api/finance/donations.csv");
        Assert.Contains(Email.ToLowerInvariant(), before);
        var donor = await app.WithDbAsync(db => db.Donors.SingleAsync(d => d.Email == Email.ToLowerInvariant()));
        var oldLink = await Portal.SeedLinkAsync(app, donor.Id);
        var adaReceipt = await app.WithDbAsync(db => db.Receipts.Where(r => r.Donation!.DonorId == donor.Id).Select(r => r.Number).SingleAsync());

        var exit = await app.Services.GetServices<Api.Infrastructure.ICliCommand>().Single(c => c.Name == "donors")
            .RunAsync(app.Services, ["erase", "ADA.lovelace@example.org"], CancellationToken.None);
        Assert.Equal(0, exit);
        var sentBefore = app.Smtp!.Messages.Count;

        // Stripe's copy is cleared, at the pinned version, once.
        var update = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/customers/cus_ada"));
        Assert.Equal("2026-10-28.endive", update.Header("Stripe-Version"));
        Assert.NotNull(update.IdempotencyKey);
        foreach (var field in new[] { "email", "name", "phone", "metadata", "address", "shipping" }) Assert.Equal("", update[field]);
        Assert.Null((string?)app.Stripe.Object("cus_ada")["email"]);
        Assert.Empty(app.Stripe.Object("cus_ada")["metadata"]!.AsObject());

        // Later: a refund notice, a resent receipt, a sign-in request for the old address.
        await app.DeliverAndProcessAsync(ada.Refunded(1000));
        await StaffTestSupport.PostApiAsync(await StaffTestSupport.SignedInAsync(app, "Admin"), $"/api/finance/receipts/{adaReceipt}/resend");
        await Portal.RequestLinkAsync(app.CreateClient(), Email);
        await app.WaitForIdleJobsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync(oldLink)).StatusCode);

        var after = await finance.GetStringAsync("/api/finance/donations.csv");
        var members = await finance.GetStringAsync("/api/finance/members.csv");
        var events = await app.WithDbAsync(db => db.StripeEvents.Select(e => e.Payload).ToListAsync());
        var pages = string.Concat(await finance.GetStringAsync("/staff"), await finance.GetStringAsync("/staff/events"),
            await finance.GetStringAsync("/staff/revenue"), await finance.GetStringAsync("/staff/revenue/lapsed.csv?kind=lybunt"),
            await finance.GetStringAsync("/staff/revenue/lapsed.csv?kind=sybunt"));
        var later = app.Smtp.Messages.Skip(sentBefore).ToList();
        var everywhere = new[] { after, members, pages, string.Join("\n", events) }
            .Concat(later.Select(m => m.ToString()))
            .Concat(logs.Entries.Select(e => $"{e.Message} {string.Join(" ", e.State.Select(s => s.Value))} {e.Exception}"));
        foreach (var text in everywhere)
        {
            Assert.DoesNotContain(Email, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Name, text, StringComparison.OrdinalIgnoreCase);
        }
        // Ada's own events, the refund that came later included, keep no billing address (its postal code is 02139).
        var adasEvents = events.Where(p => p.Contains(ada.SessionId) || p.Contains(ada.ChargeId)).ToList();
        Assert.Equal(2, adasEvents.Count);
        Assert.All(adasEvents, p => Assert.DoesNotContain("02139", p));
        Assert.DoesNotContain(later, m => m.To.Mailboxes.Any(a => a.Address.EndsWith(".invalid", StringComparison.Ordinal)));
        Assert.Contains(DonorErasure.PseudonymEmail(donor.Id), after);
        // Gifts, receipt numbers and amounts stay: the totals are the same, the refund counted.
        Assert.Equal(Total(before), Total(after));
        Assert.Contains(adaReceipt, after);
        Assert.Contains(logs.Entries, e => e.Message.Contains($"Donor {donor.Id} erased"));
        Assert.Null(await app.WithDbAsync(db => db.ReceiptDocuments.Where(d => db.Receipts.Any(r => r.Id == d.ReceiptId && r.Number == adaReceipt)).FirstOrDefaultAsync()));
    }

    [Fact]
    public async Task Erasing_a_donor_leaves_another_payers_events_whose_address_ids_and_words_contain_theirs()
    {
        await using var app = await DonationsApp.StartAsync();
        // Joann's customer id holds Ann's whole: found by the search for Ann's ids, yet not Ann's.
        var ann = new OneTimeGift(Amount: 2500, Email: "ann@example.org", Name: "Ann") { CustomerId = "cus_Ann00001" };
        var joann = new OneTimeGift(Amount: 4000, Email: "joann@example.org", Name: "Joann Ann") { CustomerId = "cus_Ann000012" };
        app.Stripe.Put(new JsonObject { ["id"] = "cus_Ann00001", ["object"] = "customer", ["email"] = "ann@example.org", ["name"] = "Ann" });
        string WithCampaign(string json)
        {
            var node = JsonNode.Parse(json)!;
            node["data"]!["object"]!["metadata"]!["campaign"] = "annual-appeal";
            return node.ToJsonString();
        }
        var (annsCheckout, joannsCheckout) = (WithCampaign(ann.CheckoutCompleted()), WithCampaign(joann.CheckoutCompleted()));
        await app.DeliverAndProcessAsync(annsCheckout, joannsCheckout);
        var joannsEvent = StripeEventFactory.IdOf(joannsCheckout);
        var before = await app.WithDbAsync(db => db.StripeEvents.Select(e => new { e.Id, e.Payload }).ToListAsync());

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(DonorErasure.Outcome.Erased,
                (await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync("ann@example.org", "test", CancellationToken.None)).Outcome);

        var after = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToDictionaryAsync(e => e.Id, e => e.Payload));
        // Joann's address holds Ann's, and her name the word "Ann": her event is not Ann's, and stays as Stripe sent it.
        Assert.Equal(before.Single(e => e.Id == joannsEvent).Payload, after[joannsEvent]);
        var annsEvent = after.Single(e => e.Key != joannsEvent).Value;
        Assert.DoesNotContain("\"ann@example.org\"", annsEvent);
        Assert.Contains("annual-appeal", annsEvent);
        Assert.Equal(["Joann Ann"], await app.WithDbAsync(db => db.Donors.Where(d => d.ErasedAt == null).Select(d => d.Name).ToListAsync()));
    }

    [Fact]
    public async Task Events_about_an_erased_donor_that_change_no_gift_are_scrubbed_as_they_arrive_and_by_the_daily_sweep_and_no_one_elses()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var ada = new OneTimeGift(Amount: 2500, Email: Email, Name: Name) { CustomerId = "cus_ada" };
        await app.DeliverAndProcessAsync(ada.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        long donorId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var erased = await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(Email, "test", CancellationToken.None);
            Assert.Equal(DonorErasure.Outcome.Erased, erased.Outcome);
            donorId = await app.WithDbAsync(db => db.Donors.Where(d => d.ErasedAt != null).Select(d => d.Id).SingleAsync());
        }
        static JsonObject Customer(string id, string email, string name) => new()
        {
            ["id"] = id, ["object"] = "customer", ["email"] = email, ["name"] = name, ["phone"] = "+1 555 0100",
            ["address"] = new JsonObject { ["line1"] = "1 Main Street", ["postal_code"] = "02139", ["country"] = "US" },
            ["created"] = 1_700_000_000L, ["livemode"] = false, ["metadata"] = new JsonObject(),
        };
        // Stripe goes on telling about Ada's customer in events the service ignores; and about Grace's.
        var adasUpdate = StripeEventFactory.Event("customer.updated", Customer("cus_ada", Email.ToLowerInvariant(), Name));
        var gracesUpdate = StripeEventFactory.Event("customer.updated", Customer("cus_grace", "grace@example.org", "Grace Hopper"));

        await app.DeliverAndProcessAsync(adasUpdate, gracesUpdate);
        await app.WaitForIdleJobsAsync();

        async Task<string> PayloadAsync(string json) =>
            await app.WithDbAsync(db => db.StripeEvents.Where(e => e.Id == StripeEventFactory.IdOf(json)).Select(e => e.Payload).SingleAsync());
        var adas = await PayloadAsync(adasUpdate);
        foreach (var personal in new[] { Email, Name, "+1 555 0100", "02139", "1 Main Street" })
            Assert.DoesNotContain(personal, adas, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(DonorErasure.PseudonymEmail(donorId), adas);
        Assert.Equal(JsonNode.Parse(gracesUpdate)!.ToJsonString(), JsonNode.Parse(await PayloadAsync(gracesUpdate))!.ToJsonString());

        // A guest's bank debit, started before the erasure and failed after it: no gift holds its
        // payment, only the old email names Ada. Another started after the erasure is a new gift's.
        var erasedAt = await app.WithDbAsync(db => db.Donors.Where(d => d.Id == donorId).Select(d => d.ErasedAt!.Value).SingleAsync());
        var guestBefore = new OneTimeGift(Amount: 1000, Email: Email.ToLowerInvariant(), Name: Name) { PaidAt = erasedAt.AddMinutes(-30) };
        var guestAfter = new OneTimeGift(Amount: 1000, Email: Email.ToLowerInvariant(), Name: Name) { PaidAt = erasedAt.AddMinutes(10) };
        var failedBefore = guestBefore.CheckoutCompleted(paymentStatus: "unpaid", type: "checkout.session.async_payment_failed", created: DateTimeOffset.UtcNow);
        var failedAfter = guestAfter.CheckoutCompleted(paymentStatus: "unpaid", type: "checkout.session.async_payment_failed", created: DateTimeOffset.UtcNow);
        await app.DeliverAndProcessAsync(failedBefore, failedAfter);
        await app.WaitForIdleJobsAsync(); // the scrub follows the commit that marks the event processed
        Assert.DoesNotContain(Email, await PayloadAsync(failedBefore), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(DonorErasure.PseudonymEmail(donorId), await PayloadAsync(failedBefore));
        Assert.Contains(Email.ToLowerInvariant(), await PayloadAsync(failedAfter));

        // One applied by a process that died before it scrubbed, and one that failed: the daily sweep finds both.
        var missed = StripeEventFactory.Event("customer.updated", Customer("cus_ada", Email.ToLowerInvariant(), Name));
        await app.WithDbAsync(async db =>
        {
            db.StripeEvents.Add(new StripeEvent
            {
                Id = StripeEventFactory.IdOf(missed), Type = "customer.updated", ApiVersion = StripeEventFactory.ApiVersion,
                CreatedAt = DateTime.UtcNow, ReceivedAt = DateTime.UtcNow, ProcessedAt = DateTime.UtcNow, Source = "webhook", Payload = missed,
                Status = StripeEventStatus.Ignored,
            });
            await db.SaveChangesAsync();
        });
        // Ada's checkout, her first update and the missed one; not Grace's.
        var failed = StripeEventFactory.Event("customer.updated", Customer("cus_ada", Email.ToLowerInvariant(), Name));
        await app.WithDbAsync(async db =>
        {
            db.StripeEvents.Add(new StripeEvent
            {
                Id = StripeEventFactory.IdOf(failed), Type = "customer.updated", ApiVersion = "2024-06-20", CreatedAt = DateTime.UtcNow,
                ReceivedAt = DateTime.UtcNow, Source = "webhook", Payload = failed, Status = StripeEventStatus.Failed, Error = "another API version",
            });
            await db.SaveChangesAsync();
        });
        // Ada's checkout, her first update, the missed one and the failed one (the guest debit, scrubbed,
        // no longer carries her old address); not Grace's, nor the new gift's.
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(4, await scope.ServiceProvider.GetRequiredService<ScrubLateEvents>().SweepAsync(CancellationToken.None));
        foreach (var json in new[] { missed, failed })
        {
            Assert.DoesNotContain(Name, await PayloadAsync(json), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("02139", await PayloadAsync(json));
        }
        Assert.Contains(Email.ToLowerInvariant(), await PayloadAsync(failedAfter));
    }

    [Fact]
    public async Task A_donor_whose_monthly_gift_is_still_collected_is_not_erased()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift(Amount: 2000, Email: "monthly@example.org");
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        await using var scope = app.Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync("monthly@example.org", "test", CancellationToken.None);

        Assert.Equal(DonorErasure.Outcome.MonthlyGiftGoing, result.Outcome);
        Assert.Equal("monthly@example.org", await app.WithDbAsync(db => db.Donors.Select(d => d.Email).SingleAsync()));
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path.StartsWith("/v1/customers/"));
    }

    [Fact]
    public async Task An_Admin_erases_a_donor_from_the_staff_page_and_Finance_staff_cannot()
    {
        await using var app = await DonationsApp.StartAsync();
        await Portal.SeedDonorAsync(app, "leaving@example.org", "Lea Ving");
        var finance = await StaffTestSupport.SignedInAsync(app, "Finance");
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.GetAsync(EraseDonorPage.Path)).StatusCode);
        var admin = await StaffTestSupport.SignedInAsync(app, "Admin");
        var form = await admin.GetStringAsync(EraseDonorPage.Path);

        var answer = await admin.PostAsync(EraseDonorPage.Path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = StaffTestSupport.FormToken(form), ["email"] = "leaving@example.org", ["confirm"] = "yes",
        }));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await answer.Content.ReadAsStringAsync();
        Assert.Contains("erased", page);
        Assert.DoesNotContain("leaving@example.org", page);
        var donor = await app.WithDbAsync(db => db.Donors.SingleAsync());
        Assert.NotNull(donor.ErasedAt);
        Assert.Equal(DonorErasure.PseudonymName(donor.Id), donor.Name);
    }

    [Fact]
    public async Task What_remains_of_an_erased_donor_is_removed_once_the_retention_years_have_passed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Settings["Privacy:RetentionYears"] = "7");
        var old = await SeedErasedAsync(app, "old", DateTime.UtcNow.AddYears(-7).AddDays(-2));
        var recent = await SeedErasedAsync(app, "recent", DateTime.UtcNow.AddYears(-6));
        var kept = await Portal.SeedDonorAsync(app, "kept@example.org");

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<PurgeErasedDonors>().RunAsync(CancellationToken.None);

        var donors = await app.WithDbAsync(db => db.Donors.Select(d => d.Id).OrderBy(i => i).ToListAsync());
        Assert.Equal(new[] { recent, kept.Id }.Order(), donors);
        Assert.Equal(["recent"], await app.WithDbAsync(db => db.Receipts.Select(r => r.Number.Substring(0, 6)).ToListAsync()));
        Assert.False(await app.WithDbAsync(db => db.Donations.AnyAsync(d => d.DonorId == old)));
        // The donor's cancellation and its reason go; the payout's books stay, no longer pointing at the gift.
        Assert.Equal(["cancel-recent"], await app.WithDbAsync(db => db.GiftChanges.Select(c => c.RequestKey).ToListAsync()));
        Assert.Equal(["sub_recent"], await app.WithDbAsync(db => db.Memberships.Select(m => m.StripeSubscriptionId).ToListAsync()));
        var books = await app.WithDbAsync(db => db.StripeBalanceTransactions.OrderBy(t => t.Id).Select(t => new { t.Id, t.DonationId }).ToListAsync());
        Assert.Equal(["txn_old", "txn_recent"], books.Select(t => t.Id));
        Assert.Null(books[0].DonationId);
        Assert.NotNull(books[1].DonationId);
    }

    private static async Task<long> SeedErasedAsync(DonationsApp app, string label, DateTime giftAt)
    {
        var donor = new Donor { Email = $"{label}@erased.invalid", Name = "Erased donor", CreatedAt = giftAt, ErasedAt = DateTime.UtcNow.AddYears(-1) };
        var gift = new Donation
        {
            SettlementKey = $"pi:{label}", Donor = donor, Amount = 1000, Currency = "usd", Frequency = DonationFrequency.OneTime,
            Status = DonationStatus.Succeeded, ReceivedAt = giftAt, CreatedAt = giftAt,
        };
        gift.Receipts.Add(new Receipt
        {
            Number = $"{label}-{giftAt.Year}", Year = giftAt.Year, Sequence = 1, Kind = ReceiptKind.Original, Status = ReceiptStatus.Sent,
            Amount = 1000, Currency = "usd", DeductibleAmount = 1000, IssuedAt = giftAt, MessageId = $"{label}@example.org",
        });
        await app.WithDbAsync(async db => { db.Donations.Add(gift); await db.SaveChangesAsync(); });
        // A gift cancelled in the portal before the erasure, and a charge paid out: the usual path.
        var membership = new Membership { DonorId = donor.Id, StripeSubscriptionId = $"sub_{label}", Status = "canceled", Currency = "usd" };
        await app.WithDbAsync(async db =>
        {
            db.Memberships.Add(membership);
            await db.SaveChangesAsync();
            db.GiftChanges.Add(new GiftChange
            {
                MembershipId = membership.Id, DonorId = donor.Id, Kind = "cancel", Summary = "Cancelled", Reason = "moving abroad",
                RequestKey = $"cancel-{label}", RequestedAt = giftAt, MessageId = $"change-{label}@example.org",
            });
            db.StripeBalanceTransactions.Add(new StripeBalanceTransaction
            {
                Id = $"txn_{label}", Type = "charge", DonationId = gift.Id, Amount = 1000, Fee = 59, Net = 941, Currency = "usd",
                CreatedAt = giftAt, AvailableOn = giftAt, PayoutId = $"po_{label}", FetchedAt = giftAt,
            });
            await db.SaveChangesAsync();
        });
        return donor.Id;
    }

    /// <summary>The sum of the <c>amount</c> column of a donations export.</summary>
    private static decimal Total(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var amount = Array.IndexOf(lines[0].Trim().Split(','), "amount");
        return lines.Skip(1).Sum(l => decimal.Parse(Csv(l)[amount], CultureInfo.InvariantCulture));
    }

    private static List<string> Csv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line.TrimEnd('\r'))
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
