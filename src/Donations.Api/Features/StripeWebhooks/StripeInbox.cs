using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.StripeWebhooks;

public enum InboxResult { Added, Duplicate }

/// <summary>
/// The one way an event enters the inbox, for webhooks and reconciliation alike. The event id is
/// the primary key, so concurrent deliveries of one event leave exactly one row. A row that ended
/// Failed (another API version, a waiting or failing handler) is replaced by a later copy of the
/// event that can be processed — the endive delivery staff asked Stripe for, or reconciliation's
/// copy — and goes back to the dispatcher; a Processed or Ignored row, or one still on its way,
/// keeps what it has and the copy is a duplicate.
/// </summary>
public sealed class StripeInbox(DonationsDbContext db, DatabaseSettings database, InboxSignal signal, TimeProvider time)
{
    public const string FromWebhook = "webhook";
    public const string FromReconcile = "reconcile";

    public async Task<InboxResult> AddAsync(StripeEventEnvelope envelope, string payload, string source, CancellationToken ct)
    {
        var supported = StripeApiVersion.IsSupported(envelope.ApiVersion);
        var row = new StripeEvent
        {
            Id = envelope.Id,
            Type = envelope.Type,
            ApiVersion = envelope.ApiVersion,
            LiveMode = envelope.LiveMode,
            CreatedAt = envelope.CreatedAt,
            ReceivedAt = time.GetUtcNow().UtcDateTime,
            Source = source,
            Payload = payload,
            Status = supported ? StripeEventStatus.Received : StripeEventStatus.Failed,
            Error = supported ? null : StripeApiVersion.MismatchError(envelope.ApiVersion),
        };
        var added = database.Provider == DatabaseProvider.SqlServer
            ? await InsertOrCatchAsync(row, ct)
            : await InsertOnConflictDoNothingAsync(row, ct);
        if (added && supported) signal.Notify();
        return added ? InboxResult.Added : InboxResult.Duplicate;
    }

    // PostgreSQL and SQLite: a duplicate is a normal outcome, not an error to log and unwind.
    private async Task<bool> InsertOnConflictDoNothingAsync(StripeEvent e, CancellationToken ct) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "StripeEvents" ("Id", "Type", "ApiVersion", "LiveMode", "CreatedAt", "ReceivedAt", "Source",
                                        "Payload", "Status", "EnqueuedAt", "ProcessedAt", "Attempts", "Error")
            VALUES ({e.Id}, {e.Type}, {e.ApiVersion}, {e.LiveMode}, {e.CreatedAt}, {e.ReceivedAt}, {e.Source},
                    {e.Payload}, {e.Status.ToString()}, NULL, NULL, 0, {e.Error})
            ON CONFLICT ("Id") DO UPDATE SET
                "ApiVersion" = excluded."ApiVersion", "ReceivedAt" = excluded."ReceivedAt", "Source" = excluded."Source",
                "Payload" = excluded."Payload", "Status" = excluded."Status", "EnqueuedAt" = NULL, "Error" = NULL
            WHERE "StripeEvents"."Status" = {nameof(StripeEventStatus.Failed)} AND excluded."Status" = {nameof(StripeEventStatus.Received)}
            """, ct) == 1;

    private async Task<bool> InsertOrCatchAsync(StripeEvent row, CancellationToken ct)
    {
        db.StripeEvents.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            db.Entry(row).State = EntityState.Detached;
            return row.Status == StripeEventStatus.Received && await ReplaceFailedAsync(row, ct);
        }
    }

    private async Task<bool> ReplaceFailedAsync(StripeEvent e, CancellationToken ct) =>
        await db.StripeEvents.Where(r => r.Id == e.Id && r.Status == StripeEventStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.ApiVersion, e.ApiVersion)
                .SetProperty(r => r.ReceivedAt, e.ReceivedAt)
                .SetProperty(r => r.Source, e.Source)
                .SetProperty(r => r.Payload, e.Payload)
                .SetProperty(r => r.Status, StripeEventStatus.Received)
                .SetProperty(r => r.EnqueuedAt, (DateTime?)null)
                .SetProperty(r => r.Error, (string?)null), ct) == 1;
}
