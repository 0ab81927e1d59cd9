using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;

namespace Donations.Api.Features.StripeWebhooks;

public enum InboxResult { Added, Duplicate }

/// <summary>
/// The one way an event enters the inbox, for webhooks and reconciliation alike. The event id is
/// the primary key, so concurrent deliveries of one event leave exactly one row.
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
        var added = await claims.InsertUnlessPresentAsync(db, row, ct);
        if (added && supported) signal.Notify();
        return added ? InboxResult.Added : InboxResult.Duplicate;
    }
}
