using System.Text.Json.Nodes;
using Donations.Api.Features.Finance;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Finance;

/// <summary>Driving the finance jobs and reading the finance CSVs in tests.</summary>
internal static class FinanceBooks
{
    /// <summary>What the donate page writes into Checkout's metadata.</summary>
    public static Dictionary<string, string> DonatePage(string frequency = "one-time", string? campaign = null, string? source = null)
    {
        var m = new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = frequency, ["cover_fee"] = "false" };
        if (campaign is not null) m["campaign"] = campaign;
        if (source is not null) m["source"] = source;
        return m;
    }

    /// <summary>Runs the recurring sweep now and waits until every gift's Stripe fees are read.</summary>
    public static async Task ReadStripeFeesAsync(this DonationsApp app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SweepGiftSettlements>().RunAsync();
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Donations.AllAsync(d =>
                db.GiftSettlements.Any(s => s.DonationId == d.Id && s.CheckedAt != null && s.CheckedRefundedAmount == d.RefundedAmount))),
            TimeSpan.FromSeconds(30), "every gift's Stripe fees");
    }

    public static string PayoutPaid(JsonObject payout, string type = "payout.paid") => StripeEventFactory.Event(type, payout.DeepClone().AsObject());

    /// <summary>Delivers payout.paid and waits until the payout's balance transactions are recorded.</summary>
    public static async Task PayoutArrivesAsync(this DonationsApp app, JsonObject payout)
    {
        var id = (string)payout["id"]!;
        await app.DeliverAndProcessAsync(PayoutPaid(payout));
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.StripePayouts.AnyAsync(p => p.Id == id && p.TransactionsFetchedAt != null)),
            TimeSpan.FromSeconds(30), $"payout {id} to be read");
    }

    /// <summary>A CSV body as rows of named cells (no quoted commas in what these tests read).</summary>
    public static List<Dictionary<string, string>> Rows(string csv)
    {
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}
