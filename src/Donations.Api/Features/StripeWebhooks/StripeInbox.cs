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
public sealed class StripeInbox(DonationsDbContext db, RowClaims claims, InboxSignal signal, TimeProvider time)
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
        var added = await claims.InsertUnlessPresentAsync(db, row, ct)
                    || (supported && await ReplaceFailedAsync(row, ct));
        if (added && supported) signal.Notify();
        return added ? InboxResult.Added : InboxResult.Duplicate;
    }

    // Only a Failed row gives way, and only to a copy that can be processed; the WHERE makes two
    // concurrent copies replace it once.
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
