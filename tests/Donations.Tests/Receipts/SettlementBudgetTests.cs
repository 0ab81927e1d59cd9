using System.Diagnostics;
using Donations.Api.Features.Receipts;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>A slow Stripe (answering, but seconds late) costs a batch of receipts no more than its settlement budget.</summary>
public sealed class SettlementBudgetTests
{
    private static readonly TimeSpan Slowness = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_batch_asks_a_slow_Stripe_for_settlements_only_within_its_budget_and_issues_its_other_receipts_by_then()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var euros = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var chargeId = app.Stripe.NextId("ch");
            app.Stripe.AddCharge(chargeId, app.Stripe.NextId("pi"), 5000, "eur", fee: 190, DateTimeOffset.UtcNow, settlementCurrency: "usd", exchangeRate: 1.0823m);
            euros.Add(await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "eur"; d.StripeChargeId = chargeId; d.StripePaymentIntentId = null; }));
        }
        var dollars = await app.SeedAsync();
        app.Stripe.Slow("GET", "/v1/charges/*", Slowness);

        var clock = Stopwatch.StartNew();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ReconcileReceipts>().RunManyAsync([.. euros, dollars], CancellationToken.None);
        clock.Stop();

        // Six slow reads would take 24 s; the batch stops asking at its budget and issues what it can.
        Assert.True(clock.Elapsed < ReconcileReceipts.SettlementBudget + TimeSpan.FromSeconds(8), $"the batch took {clock.Elapsed}");
        var receipted = await app.WithDbAsync(db => db.Receipts.Where(r => r.Kind == ReceiptKind.Original).Select(r => r.DonationId).ToListAsync());
        Assert.Contains(dollars, receipted);
        // Those answered within the budget (two at most; fewer when the machine is busy) are issued, in
        // the batch's order, with their USD line; the rest are held, and no read starts after the budget.
        var most = (int)(ReconcileReceipts.SettlementBudget / Slowness);
        var issued = receipted.Where(euros.Contains).Order().ToList();
        Assert.InRange(issued.Count, 1, most);
        Assert.Equal(euros.Take(issued.Count), issued);
        Assert.InRange(app.Stripe.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/charges/")), issued.Count, most + 1);
    }
}
