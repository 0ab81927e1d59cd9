using System.Text.Json.Nodes;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// What real Stripe refuses when a subscription is updated (<c>POST /v1/subscriptions/{id}</c>), so
/// the stand-in refuses it too: parameters that endive does not have, values outside its enums,
/// an item that is not the subscription's, a price without its product or interval, a pause or
/// trial end in the past, and any change but metadata and cancellation details to a canceled
/// subscription. Names from Stripe's endive types (<c>stripe@23.1.0</c>,
/// <c>resources/Subscriptions.d.ts</c>, <c>SubscriptionUpdateParams</c>), kept apart from the product.
/// </summary>
public static class StripeSubscriptionRules
{
    private static readonly string[] TopLevel =
    [
        "add_invoice_items", "application_fee_percent", "automatic_tax", "billing_cycle_anchor", "billing_schedules",
        "billing_thresholds", "cancel_at", "cancel_at_period_end", "cancellation_details", "collection_method", "days_until_due",
        "default_payment_method", "default_source", "default_tax_rates", "description", "discounts", "expand", "invoice_settings",
        "items", "metadata", "off_session", "on_behalf_of", "pause_collection", "payment_behavior", "payment_settings",
        "pending_invoice_item_interval", "proration_behavior", "proration_date", "transfer_data", "trial_end", "trial_from_plan",
        "trial_settings",
    ];

    private static readonly Dictionary<string, string[]> Children = new()
    {
        ["items[]"] =
        [
            "billing_thresholds", "clear_usage", "current_trial", "deleted", "discounts", "id", "metadata", "plan", "price", "price_data",
            "quantity", "tax_rates",
        ],
        ["items[].price_data"] = ["currency", "product", "recurring", "tax_behavior", "unit_amount", "unit_amount_decimal"],
        ["items[].price_data.recurring"] = ["interval", "interval_count"],
        ["pause_collection"] = ["behavior", "resumes_at"],
        ["cancellation_details"] = ["comment", "feedback", "feedback_option"],
    };

    private static readonly Dictionary<string, string[]> Enums = new()
    {
        ["pause_collection.behavior"] = ["keep_as_draft", "mark_uncollectible", "void"],
        ["proration_behavior"] = ["always_invoice", "create_prorations", "none"],
        ["items[].price_data.recurring.interval"] = ["day", "month", "week", "year"],
        ["cancellation_details.feedback"] =
            ["customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"],
        ["cancel_at_period_end"] = ["true", "false"],
    };

    /// <summary>Stripe's 400 for this update of <paramref name="subscription"/>, or null when Stripe would accept it.</summary>
    public static StripeReply? Refusal(StripeRequest r, JsonObject subscription, DateTimeOffset now)
    {
        foreach (var (key, value) in r.Form)
        {
            var segments = key.Replace("]", "").Split('[');
            if (!TopLevel.Contains(segments[0])) return Unknown(key);
            var path = segments[0];
            for (var i = 1; i < segments.Length; i++)
            {
                if (int.TryParse(segments[i], out _)) { path += "[]"; continue; }
                if (segments[i - 1] == "metadata") break;
                if (!Children.TryGetValue(path, out var allowed) || !allowed.Contains(segments[i])) return Unknown(key);
                path += "." + segments[i];
            }
            // An empty value unsets an "emptyable" parameter; pause_collection is one.
            if (path == "pause_collection" && value != "") return Refuse("Invalid object", "parameter_invalid_empty", key);
            if (Enums.TryGetValue(path, out var values) && !values.Contains(value))
                return Refuse($"Invalid {key}: must be one of {string.Join(", ", values)}", "parameter_invalid_string", key);
            if (path is "pause_collection.resumes_at" or "trial_end" && value != "now"
                && (!long.TryParse(value, out var at) || at <= now.ToUnixTimeSeconds()))
                return Refuse($"Invalid {key}: must be an integer Unix timestamp in the future.", "parameter_invalid_integer", key);
        }
        if (r.Form.Any(f => f.Key.StartsWith("pause_collection[")) && r["pause_collection[behavior]"] is null)
            return Refuse("Missing required param: pause_collection[behavior].", "parameter_missing", "pause_collection[behavior]");
        if ((string?)subscription["status"] == "canceled"
            && r.Form.Any(f => !f.Key.StartsWith("metadata[") && !f.Key.StartsWith("cancellation_details[")))
            return Refuse("A canceled subscription can only update its cancellation_details and metadata.");
        return ItemRefusal(r, subscription);
    }

    private static StripeReply? ItemRefusal(StripeRequest r, JsonObject subscription)
    {
        var itemIds = subscription["items"]!["data"]!.AsArray().Select(i => (string?)i!["id"]).ToHashSet();
        foreach (var index in r.Form.Where(f => f.Key.StartsWith("items[")).Select(f => f.Key[6..f.Key.IndexOf(']')]).Distinct())
        {
            var prefix = $"items[{index}]";
            if (r[$"{prefix}[id]"] is { } id && !itemIds.Contains(id))
                return Refuse($"Invalid subscription_item id: {id}", "resource_missing", $"{prefix}[id]");
            if (r.Form.Any(f => f.Key.StartsWith($"{prefix}[price_data]")))
                foreach (var required in new[] { "currency", "product", "recurring][interval" })
                    if (r[$"{prefix}[price_data][{required}]"] is null)
                        return Refuse($"Missing required param: {prefix}[price_data][{required}].", "parameter_missing");
        }
        return null;
    }

    private static StripeReply Unknown(string key) => Refuse($"Received unknown parameter: {key}", "parameter_unknown", key);

    private static StripeReply Refuse(string message, string? code = null, string? param = null) =>
        StripeCheckoutRules.Refuse(message, code, param);
}
