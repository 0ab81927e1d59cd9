using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using MimeKit;
using Npgsql;

namespace Donations.Tests.Faults;

/// <summary>
/// A batch of distinct paid gifts as Stripe announces them: one-time gifts (one
/// <c>checkout.session.completed</c> each) and monthly gifts whose first month arrives twice
/// (<c>checkout.session.completed</c> and <c>invoice.paid</c>) and must still make one donation.
/// Some donors give twice, so donor rows are raced for too. Knows what must come of it: one
/// donation per settled payment and one receipt email per donation.
/// </summary>
public sealed class GiftMix
{
    private GiftMix(List<OneTimeGift> oneTime, List<MonthlyGift> monthly)
    {
        OneTime = oneTime;
        Monthly = monthly;
        Events = oneTime.Select(g => g.CheckoutCompleted())
            .Concat(monthly.SelectMany(g => new[] { g.CheckoutCompleted(), g.InvoicePaid(1) }))
            .ToList();
    }

    public IReadOnlyList<OneTimeGift> OneTime { get; }
    public IReadOnlyList<MonthlyGift> Monthly { get; }
    /// <summary>Every distinct event, signed-ready JSON.</summary>
    public IReadOnlyList<string> Events { get; }
    public int ExpectedDonations => OneTime.Count + Monthly.Count;

    /// <summary><paramref name="oneTime"/> one-time gifts (every tenth donor gives twice) and <paramref name="monthly"/> monthly ones.</summary>
    public static GiftMix Create(int oneTime, int monthly)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var gifts = Enumerable.Range(0, oneTime)
            .Select(i => new OneTimeGift(Amount: 500 + 100 * (i % 50), Email: $"fault-{run}-{(i % 10 == 9 ? i - 1 : i)}@example.org", Name: $"Donor {i}"))
            .ToList();
        var months = Enumerable.Range(0, monthly)
            .Select(i => new MonthlyGift(Amount: 1000 + 500 * (i % 5), Email: $"fault-{run}-m{i}@example.org", Name: $"Member {i}"))
            .ToList();
        return new GiftMix(gifts, months);
    }

    /// <summary>The settlement keys the service must end up with, one per payment.</summary>
    public IReadOnlySet<string> SettlementKeys =>
        OneTime.Select(g => "pi:" + g.PaymentIntentId).Concat(Monthly.Select(g => "in:" + g.Month(1).InvoiceId)).ToHashSet();

    /// <summary>
    /// The database holds exactly one donation per gift (none lost, none doubled, no stray ones)
    /// and each has exactly one receipt, sent.
    /// </summary>
    public async Task AssertExactlyOnceInDatabaseAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var keys = new List<string>();
        await using (var cmd = new NpgsqlCommand("""SELECT "SettlementKey" FROM "Donations" """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(SettlementKeys.Order(), keys.Order());

        await using var receipts = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE n <> 1), count(*) FILTER (WHERE NOT sent)
            FROM (SELECT d."Id", count(r."Id") AS n, bool_and(r."Status" = 'Sent') AS sent
                  FROM "Donations" d LEFT JOIN "Receipts" r ON r."DonationId" = d."Id" GROUP BY d."Id") x
            """, conn);
        await using var r = await receipts.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(0L, r.GetInt64(0)); // donations without exactly one receipt
        Assert.Equal(0L, r.GetInt64(1)); // donations whose receipt is not marked sent
    }

    /// <summary>Receipt emails that reached the sink, by receipt number.</summary>
    public static ILookup<string, MimeMessage> ReceiptsByNumber(IEnumerable<MimeMessage> messages) =>
        messages.ToLookup(m => m.Headers["X-Receipt-Number"] ?? "");

    /// <summary>
    /// One receipt email per gift: as many distinct receipt numbers as donations, gapless from 1
    /// within each year, each to the gift's donor. With <paramref name="allowResendAfterCrash"/>, a number may arrive
    /// more than once, but only as the same message (same Message-Id) — what a crash between
    /// "sent" and "marked sent" legitimately causes; otherwise every number arrives exactly once.
    /// </summary>
    public void AssertOneReceiptEmailPerGift(IReadOnlyList<MimeMessage> messages, bool allowResendAfterCrash = false)
    {
        var byNumber = ReceiptsByNumber(messages);
        Assert.DoesNotContain("", byNumber.Select(g => g.Key));
        GaplessNumbers.AssertPerYear(byNumber.Select(g => g.Key), ExpectedDonations);
        foreach (var copies in byNumber)
        {
            Assert.Single(copies.Select(m => m.MessageId).Distinct());
            if (!allowResendAfterCrash) Assert.Single(copies);
        }

        var donors = OneTime.Select(g => g.Email).Concat(Monthly.Select(g => g.Email)).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
        var received = byNumber.Select(g => g.First().To.Mailboxes.Single().Address).GroupBy(e => e).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(donors.OrderBy(d => d.Key), received.OrderBy(d => d.Key));
    }

    /// <summary>The events in random order, each <paramref name="times"/> times.</summary>
    public List<string> Shuffled(int times) =>
        Enumerable.Repeat(Events, times).SelectMany(e => e).OrderBy(_ => Random.Shared.Next()).ToList();
}
