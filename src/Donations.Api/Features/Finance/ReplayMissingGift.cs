using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Admin's fix for a <see cref="DriftKinds.MissingGift"/>: reads the paid object from Stripe as it
/// is now — the Checkout session that paid a charge, or the paid invoice — wraps it in the event
/// Stripe would have delivered (<c>checkout.session.completed</c> or <c>invoice.paid</c>), and
/// puts that into the inbox like a webhook. The usual handler then records the gift and its
/// receipt. The event id is derived from the object, so replaying twice adds nothing.
/// </summary>
public sealed class ReplayMissingGift(DonationsDbContext db, IStripeClient stripe, StripeInbox inbox, TimeProvider time, ILogger<ReplayMissingGift> log)
{
    public const string Source = "replay";

    public sealed record Outcome(string? EventId, string? Problem, bool NotFound = false);

    public async Task<Outcome> RunAsync(long itemId, CancellationToken ct)
    {
        var item = await db.DriftItems.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null) return new(null, $"There is no drift item {itemId}.", NotFound: true);
        if (item.Kind != DriftKinds.MissingGift || item.StripeObject is null)
            return new(null, $"Drift item {itemId} is a {item.Kind}; only a missing gift can be replayed. Correct the others in Stripe or in the books.");

        var (type, created, data) = item.StripeObject.StartsWith("in_", StringComparison.Ordinal)
            ? await PaidInvoiceAsync(item.StripeObject, ct)
            : await SessionOfChargeAsync(item.StripeObject, ct);
        if (data is null)
            return new(null, $"Stripe has no Checkout session for {item.StripeObject}: it was not paid through the donate page, so it cannot be replayed as a gift.");

        var eventId = "evt_replay_" + item.StripeObject;
        var json = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["api_version"] = StripeApiVersion.Pinned,
            ["created"] = new DateTimeOffset(created).ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = data },
            ["livemode"] = data["livemode"]?.GetValue<bool>() ?? false,
            ["pending_webhooks"] = 0,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();
        var envelope = StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(json))!;
        var added = await inbox.AddAsync(envelope, json, Source, ct);
        item.ReplayedAt ??= time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        log.LogWarning("Missing gift {StripeObject} replayed as {EventType} event {EventId} ({Result})", item.StripeObject, type, eventId, added);
        return new(eventId, null);
    }

    private async Task<(string Type, DateTime Created, JsonNode? Data)> SessionOfChargeAsync(string chargeId, CancellationToken ct)
    {
        var charge = await new ChargeService(stripe).GetAsync(chargeId, cancellationToken: ct);
        if (charge.PaymentIntentId is null) return ("", default, null);
        var sessions = await new SessionService(stripe).ListAsync(new SessionListOptions { PaymentIntent = charge.PaymentIntentId, Limit = 1 }, cancellationToken: ct);
        var session = sessions.Data.FirstOrDefault();
        return ("checkout.session.completed", charge.Created, session is null ? null : Raw(session));
    }

    private async Task<(string Type, DateTime Created, JsonNode? Data)> PaidInvoiceAsync(string invoiceId, CancellationToken ct)
    {
        var invoice = await new InvoiceService(stripe).GetAsync(invoiceId, new InvoiceGetOptions { Expand = ["payments"] }, cancellationToken: ct);
        return ("invoice.paid", invoice.StatusTransitions?.PaidAt ?? invoice.Created, invoice.Status == "paid" ? Raw(invoice) : null);
    }

    /// <summary>The object exactly as Stripe's API sent it.</summary>
    private static JsonNode Raw(StripeEntity entity) =>
        JsonNode.Parse(entity.RawJsonElement is { ValueKind: JsonValueKind.Object } raw ? raw.GetRawText() : entity.ToJson())!;
}
