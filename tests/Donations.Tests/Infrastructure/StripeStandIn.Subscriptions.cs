using System.Globalization;
using System.Text.Json.Nodes;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// Subscriptions as the donor portal changes them: <c>POST /v1/subscriptions/{id}</c> (checked by
/// <see cref="StripeSubscriptionRules"/>) and <c>DELETE /v1/subscriptions/{id}</c>, applied to the
/// subscription kept in <see cref="StripeStandIn.Objects"/> and answered with it, as Stripe does.
/// A test turns the answer into the <c>customer.subscription.updated</c> event Stripe would send
/// with <see cref="SubscriptionUpdatedEvent"/>.
/// </summary>
public sealed partial class StripeStandIn
{
    private StripeReply? AnswerSubscriptions(StripeRequest r)
    {
        if (!r.Path.StartsWith("/v1/subscriptions/") || r.Path.Count(c => c == '/') != 3 || r.Method is not ("POST" or "DELETE")) return null;
        var id = r.Path[18..];
        if (!Objects.TryGetValue(id, out var subscription) || (string?)subscription["object"] != "subscription")
            return StripeReply.Error(404, "invalid_request_error", $"No such subscription: '{id}'", "resource_missing");
        lock (subscription)
        {
            var now = DateTimeOffset.UtcNow;
            if (r.Method == "DELETE")
            {
                subscription["status"] = "canceled";
                subscription["canceled_at"] = subscription["ended_at"] = now.ToUnixTimeSeconds();
                return StripeReply.Ok(subscription.DeepClone());
            }
            if (StripeSubscriptionRules.Refusal(r, subscription, now) is { } refused) return refused;
            Apply(r, subscription);
            return StripeReply.Ok(subscription.DeepClone());
        }
    }

    private void Apply(StripeRequest r, JsonObject s)
    {
        var metadata = s["metadata"] as JsonObject ?? [];
        foreach (var (key, value) in r.Form.Where(f => f.Key.StartsWith("metadata[")))
            if (value == "") metadata.Remove(key[9..^1]);
            else metadata[key[9..^1]] = value;
        s["metadata"] = metadata;

        if (r["pause_collection"] == "") s["pause_collection"] = null;
        if (r["pause_collection[behavior]"] is { } behavior)
            s["pause_collection"] = new JsonObject
            {
                ["behavior"] = behavior,
                ["resumes_at"] = r["pause_collection[resumes_at]"] is { } at ? long.Parse(at, CultureInfo.InvariantCulture) : null,
            };
        if (r["cancel_at_period_end"] is { } cancel)
        {
            s["cancel_at_period_end"] = cancel == "true";
            s["cancel_at"] = cancel == "true" ? s["items"]!["data"]![0]!["current_period_end"]!.DeepClone() : null;
        }
        if (r.Form.Any(f => f.Key.StartsWith("cancellation_details[")))
            s["cancellation_details"] = new JsonObject
            {
                ["comment"] = r["cancellation_details[comment]"], ["feedback"] = r["cancellation_details[feedback]"], ["reason"] = "cancellation_requested",
            };

        var item = s["items"]!["data"]!.AsArray().OfType<JsonObject>().FirstOrDefault(i => (string?)i["id"] == r["items[0][id]"]);
        if (item is not null && r["items[0][price_data][unit_amount]"] is { } unitAmount)
            item["price"] = new JsonObject
            {
                ["id"] = NextId("price"),
                ["object"] = "price",
                ["active"] = false,
                ["currency"] = r["items[0][price_data][currency]"],
                ["product"] = r["items[0][price_data][product]"],
                ["recurring"] = new JsonObject
                {
                    ["interval"] = r["items[0][price_data][recurring][interval]"], ["interval_count"] = 1, ["usage_type"] = "licensed",
                },
                ["type"] = "recurring",
                ["unit_amount"] = long.Parse(unitAmount, CultureInfo.InvariantCulture),
                ["unit_amount_decimal"] = unitAmount,
            };
        if (r["trial_end"] is { } trialEnd && trialEnd != "now")
        {
            // A trial that ends at the new date moves the next invoice (and the billing anchor) there.
            var end = long.Parse(trialEnd, CultureInfo.InvariantCulture);
            s["status"] = "trialing";
            s["trial_end"] = end;
            foreach (var i in s["items"]!["data"]!.AsArray().OfType<JsonObject>()) i["current_period_end"] = end;
        }
    }

    /// <summary>The event Stripe sends after an update: the subscription as it stands now, one second after <paramref name="after"/>.</summary>
    public string SubscriptionUpdatedEvent(string subscriptionId, DateTimeOffset after) =>
        StripeEventFactory.Event("customer.subscription.updated", (JsonObject)Objects[subscriptionId].DeepClone(), after.AddSeconds(1));
}
