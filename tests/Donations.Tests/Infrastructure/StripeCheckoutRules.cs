using System.Text.Json.Nodes;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// What real Stripe refuses when a Checkout Session is created, so the stand-in refuses it too:
/// parameters that do not exist in the endive API, values outside an enum, a total under the
/// currency's minimum charge, three-decimal amounts not in steps of ten, and metadata past
/// Stripe's limits. The parameter names are those of Stripe's own endive types
/// (<c>stripe@23.1.0</c>, <c>resources/Checkout/Sessions.d.ts</c>, <c>SessionCreateParams</c>).
/// Kept apart from the product's own tables on purpose: a wrong table there must fail here.
/// </summary>
public static class StripeCheckoutRules
{
    private static readonly string[] TopLevel =
    [
        "adaptive_pricing", "after_expiration", "allow_promotion_codes", "allowed_payment_method_types", "automatic_tax",
        "billing_address_collection", "branding_settings", "cancel_url", "client_reference_id", "consent_collection", "currency",
        "custom_fields", "custom_text", "customer", "customer_account", "customer_creation", "customer_email", "customer_update",
        "discounts", "excluded_payment_method_types", "expand", "expires_at", "integration_identifier", "invoice_creation",
        "line_items", "locale", "managed_payments", "metadata", "mode", "name_collection", "optional_items", "origin_context",
        "payment_intent_data", "payment_method_collection", "payment_method_configuration", "payment_method_data",
        "payment_method_options", "permissions", "phone_number_collection", "redirect_on_completion", "return_url",
        "saved_payment_method_options", "setup_intent_data", "shipping_address_collection", "shipping_options", "submit_type",
        "subscription_data", "success_url", "tax_id_collection", "ui_mode", "wallet_options",
    ];

    // Children of the objects the service sends, by path with list indexes written as [].
    private static readonly Dictionary<string, string[]> Children = new()
    {
        ["line_items[]"] = ["adjustable_quantity", "metadata", "price", "price_data", "quantity", "tax_rates"],
        ["line_items[].price_data"] = ["currency", "product", "product_data", "recurring", "tax_behavior", "unit_amount", "unit_amount_decimal"],
        ["line_items[].price_data.product_data"] = ["description", "images", "metadata", "name", "tax_code", "tax_details", "unit_label"],
        ["line_items[].price_data.recurring"] = ["interval", "interval_count"],
        ["payment_intent_data"] =
        [
            "application_fee_amount", "capture_method", "description", "metadata", "on_behalf_of", "receipt_email", "setup_future_usage",
            "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group",
        ],
        ["subscription_data"] =
        [
            "application_fee_percent", "billing_cycle_anchor", "billing_cycle_anchor_config", "billing_mode", "default_tax_rates",
            "description", "invoice_settings", "metadata", "on_behalf_of", "pending_invoice_item_interval", "proration_behavior",
            "transfer_data", "trial_end", "trial_period_days", "trial_settings",
        ],
    };

    private static readonly Dictionary<string, string[]> Enums = new()
    {
        ["mode"] = ["payment", "setup", "subscription"],
        ["submit_type"] = ["auto", "book", "donate", "pay", "subscribe"],
        ["line_items[].price_data.recurring.interval"] = ["day", "month", "week", "year"],
    };

    // Stripe's "Minimum and maximum charge amounts" table (https://docs.stripe.com/currencies), minor units.
    private static readonly Dictionary<string, (long Minimum, string Shown)> Minimums = new()
    {
        ["usd"] = (50, "$0.50"), ["eur"] = (50, "€0.50"), ["gbp"] = (30, "£0.30"), ["jpy"] = (50, "¥50"),
        ["cad"] = (50, "$0.50"), ["aud"] = (50, "$0.50"), ["chf"] = (50, "0.50 Fr"), ["sek"] = (300, "3.00 kr"),
        ["aed"] = (200, "2.00 AED"), ["bgn"] = (100, "1.00 BGN"), ["brl"] = (50, "R$0.50"), ["czk"] = (1500, "15.00 Kč"),
        ["dkk"] = (250, "2.50 kr"), ["hkd"] = (400, "HK$4.00"), ["huf"] = (17500, "175.00 Ft"), ["inr"] = (50, "₹0.50"),
        ["mxn"] = (1000, "MX$10.00"), ["myr"] = (200, "RM2.00"), ["nok"] = (300, "3.00 kr"), ["nzd"] = (50, "NZ$0.50"),
        ["pln"] = (200, "2.00 zł"), ["ron"] = (200, "2.00 lei"), ["sgd"] = (50, "S$0.50"), ["thb"] = (1000, "฿10.00"),
    };

    private static readonly HashSet<string> ThreeDecimal = ["bhd", "jod", "kwd", "omr", "tnd"];

    /// <summary>Stripe's 400 for this session creation, or null when Stripe would accept it.</summary>
    public static StripeReply? Refusal(StripeRequest r) =>
        UnknownOrInvalidParameter(r) ?? MissingRequired(r) ?? ModeMismatch(r) ?? MetadataTooBig(r) ?? AmountRefused(r);

    /// <summary>
    /// What Stripe requires of a hosted Checkout Session with inline prices: a <c>success_url</c>,
    /// and for each line item a quantity and, in its <c>price_data</c>, a currency and a product (by
    /// id or <c>product_data[name]</c>).
    /// </summary>
    private static StripeReply? MissingRequired(StripeRequest r)
    {
        if ((r["ui_mode"] ?? "hosted") == "hosted" && r["success_url"] is null)
            return Refuse("Missing required param: success_url.", "parameter_missing", "success_url");
        var items = r.Form.Select(f => f.Key).Where(k => k.StartsWith("line_items[", StringComparison.Ordinal))
            .Select(k => k[..(k.IndexOf(']') + 1)]).Distinct();
        foreach (var item in items)
        {
            if (r[item + "[quantity]"] is null) return Refuse($"Missing required param: {item}[quantity].", "parameter_missing", item + "[quantity]");
            if (!r.Form.Any(f => f.Key.StartsWith(item + "[price_data]", StringComparison.Ordinal))) continue;
            var data = item + "[price_data]";
            if (r[data + "[currency]"] is null) return Refuse($"Missing required param: {data}[currency].", "parameter_missing", data + "[currency]");
            if (r[data + "[product]"] is null && r[data + "[product_data][name]"] is null)
                return Refuse($"Missing required param: {data}[product_data][name].", "parameter_missing", data + "[product_data][name]");
        }
        return null;
    }

    private static StripeReply? UnknownOrInvalidParameter(StripeRequest r)
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
                if (Children.TryGetValue(path, out var allowed) && !allowed.Contains(segments[i])) return Unknown(key);
                path += "." + segments[i];
            }
            if (Enums.TryGetValue(path, out var values) && !values.Contains(value))
                return Refuse($"Invalid {key}: must be one of {string.Join(", ", values[..^1])}, or {values[^1]}", "parameter_invalid_string", key);
        }
        return null;
    }

    private static StripeReply Unknown(string key) => Refuse($"Received unknown parameter: {key}", "parameter_unknown", key);

    /// <summary>Stripe's shape of a 400: <c>{"error": {"type", "code", "message", "param"}}</c>.</summary>
    internal static StripeReply Refuse(string message, string? code = null, string? param = null) =>
        new(400, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["type"] = "invalid_request_error", ["code"] = code, ["message"] = message, ["param"] = param,
                ["doc_url"] = code is null ? null : $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}",
            },
        }.ToJsonString());

    private static StripeReply? ModeMismatch(StripeRequest r)
    {
        var mode = r["mode"] ?? "payment";
        if (mode != "payment" && r.Form.Any(f => f.Key.StartsWith("payment_intent_data[")))
            return Refuse($"You can not pass `payment_intent_data` in `{mode}` mode.");
        if (mode != "subscription" && r.Form.Any(f => f.Key.StartsWith("subscription_data[")))
            return Refuse($"You can not pass `subscription_data` in `{mode}` mode.");
        if (mode == "subscription" && r.Form.Any(f => f.Key.StartsWith("line_items[")) && !r.Form.Any(f => f.Key.EndsWith("[recurring][interval]")))
            return Refuse("You must provide at least one recurring price in `subscription` mode when using prices.");
        return null;
    }

    // Stripe: at most 50 keys, keys up to 40 characters, values up to 500.
    private static StripeReply? MetadataTooBig(StripeRequest r)
    {
        foreach (var group in r.Form.Where(f => f.Key.Contains("metadata[")).GroupBy(f => f.Key[..f.Key.LastIndexOf("metadata[", StringComparison.Ordinal)]))
        {
            if (group.Count() > 50) return Refuse("Metadata can have up to 50 keys.");
            foreach (var (key, value) in group)
            {
                var name = key[(key.LastIndexOf("metadata[", StringComparison.Ordinal) + 9)..^1];
                if (name.Length > 40 || value.Length > 500)
                    return Refuse($"Metadata key {name} or its value is too long (keys up to 40 characters, values up to 500).");
            }
        }
        return null;
    }

    private static StripeReply? AmountRefused(StripeRequest r)
    {
        var currency = r["line_items[0][price_data][currency]"];
        if (currency is null || !long.TryParse(r["line_items[0][price_data][unit_amount]"], out var unit)) return null;
        var total = unit * (long.TryParse(r["line_items[0][quantity]"], out var q) ? q : 1);
        if (ThreeDecimal.Contains(currency) && unit % 10 != 0)
            return Refuse($"Invalid amount: {currency.ToUpperInvariant()} amounts must be a multiple of 10 in minor units.",
                "parameter_invalid_integer", "line_items[0][price_data][unit_amount]");
        if (Minimums.TryGetValue(currency, out var minimum) && total < minimum.Minimum)
            return Refuse($"The Checkout Session's total amount due must add up to at least {minimum.Shown} {currency}", "amount_too_small");
        if (total > 99_999_999)
            return Refuse("Amount must be no more than 99,999,999 minor units.", "amount_too_large", "line_items[0][price_data][unit_amount]");
        return null;
    }
}
