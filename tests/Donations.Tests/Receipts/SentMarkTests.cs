using System.Data.Common;
using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>
/// Sent receipts are marked a few to a statement alongside the sending (<see cref="SentMarks"/>).
/// What the mail server accepted but whose mark never committed — a crash, or the database gone at
/// that moment — goes out once more after its lease, with the same Message-Id; never more than
/// <see cref="SentMarks.MaxUnmarked"/> receipts are in that state.
/// </summary>
public sealed class SentMarkTests
{
    [Fact]
    public async Task Receipts_whose_sent_mark_was_lost_go_again_after_their_lease_as_the_same_message_and_no_more_than_the_unmarked_limit()
    {
        var marks = new FailingSentMarks();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(marks));
        });
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await app.SeedAsync());
        foreach (var id in ids) await app.ReconcileAsync(id);

        // The database refuses every "sent" mark while the first batch goes out: what the server
        // accepted by the time the sender notices stays pending under its lease.
        marks.Failing = true;
        await Assert.ThrowsAnyAsync<Exception>(app.SendPendingAsync);
        marks.Failing = false;
        var unmarked = app.Smtp!.Messages.Count;
        Assert.InRange(unmarked, 1, SentMarks.MaxUnmarked);
        Assert.Equal(unmarked, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Pending && r.ClaimedUntil != null)));

        // The rest were released, so they go now; the unmarked ones wait for their lease.
        await app.SendPendingAsync();
        Assert.Equal(30, app.Smtp.Messages.Count);
        Assert.Equal(30, app.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());

        await app.WithDbAsync(db => db.Receipts.Where(r => r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, DateTime.UtcNow.AddSeconds(-1))));
        await app.SendPendingAsync();

        Assert.Equal(30 + unmarked, app.Smtp.Messages.Count);
        Assert.Equal(30, app.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(30, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
    }

    /// <summary>Fails the statements that mark receipts done (the only updates of receipts that set <c>SentAt</c>; none is refused here).</summary>
    private sealed class FailingSentMarks : DbCommandInterceptor
    {
        public volatile bool Failing;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Failing && IsSentMark(command)) throw new InvalidOperationException("the database went away (test)");
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        private static bool IsSentMark(DbCommand command) =>
            command.CommandText.Contains("UPDATE", StringComparison.OrdinalIgnoreCase)
            && command.CommandText.Contains("\"SentAt\"", StringComparison.Ordinal);
    }
}
