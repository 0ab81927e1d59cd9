using System.Text.Json;
using System.Text.Json.Nodes;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// An event Stripe rendered in another API version (the Events API answers in the account's
/// default version, not the webhook endpoint's) cannot be read by Stripe.net. Its payload is not
/// trusted; the object it names is fetched again — Stripe.net sends the pinned version on every
/// call — and put in an otherwise identical copy of the event, stamped with the pinned version.
/// The object is as it stands now, not as it was then: every handler takes the newest facts
/// (paid, refunded total, dispute status) and keeps the event's own time for ordering.
/// </summary>
public sealed class PinnedEventCopy(IStripeClient stripe, ILogger<PinnedEventCopy> log)
{
    /// <summary>The copy as JSON, or null when the object's kind is not one the handlers read or Stripe could not be asked.</summary>
    public async Task<string?> CreateAsync(string eventJson, CancellationToken ct)
    {
        var root = JsonNode.Parse(eventJson)?.AsObject();
        var data = root?["data"]?.AsObject();
        var obj = data?["object"];
        if (root is null || data is null || (string?)obj?["id"] is not { } id) return null;
        var kind = (string?)obj["object"];
        try
        {
            IStripeEntity? fresh = kind switch
            {
                "checkout.session" => await new SessionService(stripe).GetAsync(id, cancellationToken: ct),
                "invoice" => await new InvoiceService(stripe).GetAsync(id, cancellationToken: ct),
                "charge" => await new ChargeService(stripe).GetAsync(id, cancellationToken: ct),
                "dispute" => await new DisputeService(stripe).GetAsync(id, cancellationToken: ct),
                "subscription" => await new SubscriptionService(stripe).GetAsync(id, cancellationToken: ct),
                _ => null,
            };
            if (fresh is not StripeEntity entity) return null;
            var json = entity.RawJsonElement is { ValueKind: JsonValueKind.Object } raw ? raw.GetRawText() : entity.ToJson();
            data["object"] = JsonNode.Parse(json);
            // What changed in that version's shapes means nothing in the pinned one.
            data.Remove("previous_attributes");
            root["api_version"] = StripeApiVersion.Pinned;
            return root.ToJsonString();
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning(e, "Could not fetch {ObjectKind} {ObjectId} at {ApiVersion} for event {EventId}",
                kind, id, StripeApiVersion.Pinned, (string?)root["id"]);
            return null;
        }
    }
}
