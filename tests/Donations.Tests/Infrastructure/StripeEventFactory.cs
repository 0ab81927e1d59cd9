using System.Text.Json.Nodes;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// Stripe events shaped as Stripe sends them on API version <see cref="ApiVersion"/> (after the
/// 2025 "basil" changes: invoices reach their subscription through <c>parent.subscription_details</c>
/// and their payment through <c>payments</c>; charges no longer name an invoice). Each method
/// returns the event JSON ready to sign and post; the gift records below keep the ids of one
/// payment together so a test can describe it from every side.
/// </summary>
public static class StripeEventFactory
{
    public const string ApiVersion = "2026-10-28.endive";

    public static string NewId(string prefix) => $"{prefix}_test_{Guid.NewGuid():N}"[..(prefix.Length + 30)];

    /// <summary>An event wrapping <paramref name="data"/>; <paramref name="created"/> defaults to now.</summary>
    public static string Event(string type, JsonObject data, DateTimeOffset? created = null, string? id = null,
        string apiVersion = ApiVersion, JsonObject? previousAttributes = null)
    {
        var dataNode = new JsonObject { ["object"] = data };
        if (previousAttributes is not null) dataNode["previous_attributes"] = previousAttributes;
        return new JsonObject
        {
            ["id"] = id ?? NewId("evt"),
            ["object"] = "event",
            ["api_version"] = apiVersion,
            ["created"] = Unix(created ?? DateTimeOffset.UtcNow),
            ["data"] = dataNode,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();
    }

    /// <summary>The <c>id</c> of an event built here.</summary>
    public static string IdOf(string eventJson) => (string)JsonNode.Parse(eventJson)!["id"]!;

    public static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    public static JsonObject Metadata(IReadOnlyDictionary<string, string>? values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values ?? new Dictionary<string, string>()) o[k] = v;
        return o;
    }

    public static JsonObject List(string url, params JsonObject[] items) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
        ["has_more"] = false,
        ["url"] = url,
    };

    public static JsonObject CustomerDetails(string email, string? name) => new()
    {
        ["address"] = new JsonObject { ["city"] = null, ["country"] = "US", ["line1"] = null, ["line2"] = null, ["postal_code"] = "02139", ["state"] = null },
        ["email"] = email,
        ["name"] = name,
        ["phone"] = null,
        ["tax_exempt"] = "none",
        ["tax_ids"] = new JsonArray(),
    };

    public static JsonObject CheckoutSession(string id, string mode, long amount, string currency, string email, string? name,
        string? customerId, string? paymentIntentId, string? invoiceId, string? subscriptionId, string paymentStatus,
        IReadOnlyDictionary<string, string>? metadata, DateTimeOffset created) => new()
    {
        ["id"] = id,
        ["object"] = "checkout.session",
        ["amount_subtotal"] = amount,
        ["amount_total"] = amount,
        ["cancel_url"] = "https://donate.example.org/donate/canceled",
        ["client_reference_id"] = null,
        ["created"] = Unix(created),
        ["currency"] = currency,
        ["customer"] = customerId,
        ["customer_creation"] = mode == "payment" ? "if_required" : "always",
        ["customer_details"] = CustomerDetails(email, name),
        ["customer_email"] = email,
        ["expires_at"] = Unix(created.AddHours(24)),
        ["invoice"] = invoiceId,
        ["livemode"] = false,
        ["locale"] = null,
        ["metadata"] = Metadata(metadata),
        ["mode"] = mode,
        ["payment_intent"] = paymentIntentId,
        ["payment_method_types"] = new JsonArray("card"),
        ["payment_status"] = paymentStatus,
        ["status"] = "complete",
        ["submit_type"] = "donate",
        ["subscription"] = subscriptionId,
        ["success_url"] = "https://donate.example.org/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
        ["ui_mode"] = "hosted",
        ["url"] = null,
    };

    public static JsonObject InvoicePayment(string invoiceId, string paymentIntentId, long amount, string currency, DateTimeOffset paidAt) => new()
    {
        ["id"] = NewId("inpay"),
        ["object"] = "invoice_payment",
        ["amount_paid"] = amount,
        ["amount_requested"] = amount,
        ["created"] = Unix(paidAt),
        ["currency"] = currency,
        ["invoice"] = invoiceId,
        ["is_default"] = true,
        ["livemode"] = false,
        ["payment"] = new JsonObject { ["type"] = "payment_intent", ["payment_intent"] = paymentIntentId },
        ["status"] = "paid",
        ["status_transitions"] = new JsonObject { ["canceled_at"] = null, ["paid_at"] = Unix(paidAt) },
    };

    public static JsonObject Invoice(string id, string subscriptionId, string customerId, string email, string? name, long amount,
        string currency, string billingReason, string status, DateTimeOffset created, IReadOnlyDictionary<string, string>? subscriptionMetadata,
        string? includePaymentIntent = null, int attemptCount = 1, DateTimeOffset? nextPaymentAttempt = null)
    {
        var paid = status == "paid";
        var invoice = new JsonObject
        {
            ["id"] = id,
            ["object"] = "invoice",
            ["account_country"] = "US",
            ["account_name"] = "Example Journal",
            ["amount_due"] = amount,
            ["amount_paid"] = paid ? amount : 0,
            ["amount_remaining"] = paid ? 0 : amount,
            ["attempt_count"] = attemptCount,
            ["attempted"] = true,
            ["billing_reason"] = billingReason,
            ["collection_method"] = "charge_automatically",
            ["created"] = Unix(created),
            ["currency"] = currency,
            ["customer"] = customerId,
            ["customer_email"] = email,
            ["customer_name"] = name,
            ["lines"] = List($"/v1/invoices/{id}/lines", new JsonObject
            {
                ["id"] = NewId("il"),
                ["object"] = "line_item",
                ["amount"] = amount,
                ["currency"] = currency,
                ["description"] = "1 × Monthly donation (at $" + (amount / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " / month)",
                ["parent"] = new JsonObject
                {
                    ["type"] = "subscription_item_details",
                    ["subscription_item_details"] = new JsonObject { ["subscription"] = subscriptionId, ["subscription_item"] = NewId("si"), ["proration"] = false },
                },
                ["period"] = new JsonObject { ["start"] = Unix(created), ["end"] = Unix(created.AddMonths(1)) },
                ["quantity"] = 1,
            }),
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["next_payment_attempt"] = nextPaymentAttempt is { } next ? Unix(next) : null,
            ["number"] = "DON-" + id[^6..].ToUpperInvariant(),
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["quote_details"] = null,
                ["subscription_details"] = new JsonObject { ["metadata"] = Metadata(subscriptionMetadata), ["subscription"] = subscriptionId },
            },
            ["period_end"] = Unix(created),
            ["period_start"] = Unix(created),
            ["status"] = status,
            ["status_transitions"] = new JsonObject
            {
                ["finalized_at"] = Unix(created),
                ["marked_uncollectible_at"] = null,
                ["paid_at"] = paid ? Unix(created) : null,
                ["voided_at"] = null,
            },
            ["subtotal"] = amount,
            ["total"] = amount,
        };
        if (includePaymentIntent is not null)
            invoice["payments"] = List("/v1/invoice_payments", InvoicePayment(id, includePaymentIntent, amount, currency, created));
        return invoice;
    }

    public static JsonObject Subscription(string id, string customerId, long monthlyAmount, string currency, string status,
        DateTimeOffset started, DateTimeOffset periodEnd, bool cancelAtPeriodEnd = false, DateTimeOffset? canceledAt = null,
        string? latestInvoice = null, IReadOnlyDictionary<string, string>? metadata = null) => new()
    {
        ["id"] = id,
        ["object"] = "subscription",
        ["billing_cycle_anchor"] = Unix(started),
        ["cancel_at"] = cancelAtPeriodEnd ? Unix(periodEnd) : null,
        ["cancel_at_period_end"] = cancelAtPeriodEnd,
        ["canceled_at"] = canceledAt is { } c ? Unix(c) : null,
        ["collection_method"] = "charge_automatically",
        ["created"] = Unix(started),
        ["currency"] = currency,
        ["customer"] = customerId,
        ["ended_at"] = status == "canceled" && canceledAt is { } e ? Unix(e) : null,
        ["items"] = List($"/v1/subscription_items?subscription={id}", new JsonObject
        {
            ["id"] = NewId("si"),
            ["object"] = "subscription_item",
            ["created"] = Unix(started),
            ["current_period_end"] = Unix(periodEnd),
            ["current_period_start"] = Unix(periodEnd.AddMonths(-1)),
            ["metadata"] = new JsonObject(),
            ["price"] = new JsonObject
            {
                ["id"] = NewId("price"),
                ["object"] = "price",
                ["active"] = false,
                ["currency"] = currency,
                ["product"] = NewId("prod"),
                ["recurring"] = new JsonObject { ["interval"] = "month", ["interval_count"] = 1, ["usage_type"] = "licensed" },
                ["type"] = "recurring",
                ["unit_amount"] = monthlyAmount,
                ["unit_amount_decimal"] = monthlyAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ["quantity"] = 1,
            ["subscription"] = id,
        }),
        ["latest_invoice"] = latestInvoice,
        ["livemode"] = false,
        ["metadata"] = Metadata(metadata),
        ["start_date"] = Unix(started),
        ["status"] = status,
    };

    public static JsonObject Charge(string id, string paymentIntentId, string? customerId, string email, long amount, string currency,
        long amountRefunded, DateTimeOffset created, bool disputed = false)
    {
        var refunds = amountRefunded > 0
            ? new[] { new JsonObject
            {
                ["id"] = NewId("re"), ["object"] = "refund", ["amount"] = amountRefunded, ["charge"] = id, ["created"] = Unix(DateTimeOffset.UtcNow),
                ["currency"] = currency, ["payment_intent"] = paymentIntentId, ["reason"] = "requested_by_customer", ["status"] = "succeeded",
            } }
            : [];
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = amount,
            ["amount_refunded"] = amountRefunded,
            ["billing_details"] = new JsonObject { ["email"] = email, ["name"] = null, ["phone"] = null },
            ["captured"] = true,
            ["created"] = Unix(created),
            ["currency"] = currency,
            ["customer"] = customerId,
            ["disputed"] = disputed,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["paid"] = true,
            ["payment_intent"] = paymentIntentId,
            ["receipt_email"] = null,
            ["refunded"] = amountRefunded >= amount,
            ["refunds"] = List($"/v1/charges/{id}/refunds", refunds),
            ["status"] = "succeeded",
        };
    }

    public static JsonObject Dispute(string id, string chargeId, string paymentIntentId, long amount, string currency, string status,
        DateTimeOffset created) => new()
    {
        ["id"] = id,
        ["object"] = "dispute",
        ["amount"] = amount,
        ["balance_transactions"] = new JsonArray(),
        ["charge"] = chargeId,
        ["created"] = Unix(created),
        ["currency"] = currency,
        ["evidence_details"] = new JsonObject { ["due_by"] = Unix(created.AddDays(7)), ["has_evidence"] = false, ["past_due"] = false, ["submission_count"] = 0 },
        ["is_charge_refundable"] = false,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["payment_intent"] = paymentIntentId,
        ["reason"] = "fraudulent",
        ["status"] = status,
    };
}

/// <summary>One one-time gift through Checkout, with every id Stripe would give it.</summary>
public sealed record OneTimeGift(long Amount = 2500, string Currency = "usd", string Email = "Ada.Lovelace@Example.org", string? Name = "Ada Lovelace",
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    public string SessionId { get; init; } = StripeEventFactory.NewId("cs");
    public string PaymentIntentId { get; init; } = StripeEventFactory.NewId("pi");
    public string ChargeId { get; init; } = StripeEventFactory.NewId("ch");
    public string? CustomerId { get; init; }
    public string DisputeId { get; init; } = StripeEventFactory.NewId("dp");
    public DateTimeOffset PaidAt { get; init; } = DateTimeOffset.UtcNow.AddMinutes(-5);

    public string CheckoutCompleted(string paymentStatus = "paid", DateTimeOffset? created = null, string type = "checkout.session.completed") =>
        StripeEventFactory.Event(type, StripeEventFactory.CheckoutSession(SessionId, "payment", Amount, Currency, Email, Name, CustomerId,
            PaymentIntentId, null, null, paymentStatus, Metadata ?? new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "one-time" }, PaidAt.AddMinutes(-2)),
            created ?? PaidAt);

    public string Refunded(long amountRefunded, DateTimeOffset? created = null) =>
        StripeEventFactory.Event("charge.refunded", StripeEventFactory.Charge(ChargeId, PaymentIntentId, CustomerId, Email, Amount, Currency,
            amountRefunded, PaidAt), created ?? DateTimeOffset.UtcNow);

    public string Dispute(string type, string status, long? amount = null, DateTimeOffset? created = null) =>
        StripeEventFactory.Event(type, StripeEventFactory.Dispute(DisputeId, ChargeId, PaymentIntentId, amount ?? Amount, Currency, status,
            PaidAt.AddDays(1)), created ?? DateTimeOffset.UtcNow);
}

/// <summary>One monthly gift: its Checkout session, subscription, and the invoices of its months.</summary>
public sealed record MonthlyGift(long Amount = 2000, string Currency = "usd", string Email = "grace.hopper@example.org", string? Name = "Grace Hopper",
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    public string SessionId { get; init; } = StripeEventFactory.NewId("cs");
    public string CustomerId { get; init; } = StripeEventFactory.NewId("cus");
    public string SubscriptionId { get; init; } = StripeEventFactory.NewId("sub");
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow.AddMinutes(-10);
    private readonly List<(string InvoiceId, string PaymentIntentId, string ChargeId)> _months = [];

    /// <summary>Ids of month <paramref name="n"/> (1 = the first, paid through Checkout).</summary>
    public (string InvoiceId, string PaymentIntentId, string ChargeId) Month(int n)
    {
        lock (_months)
        {
            while (_months.Count < n)
                _months.Add((StripeEventFactory.NewId("in"), StripeEventFactory.NewId("pi"), StripeEventFactory.NewId("ch")));
            return _months[n - 1];
        }
    }

    public DateTimeOffset MonthStart(int n) => StartedAt.AddMonths(n - 1);

    private IReadOnlyDictionary<string, string> GiftMetadata => Metadata ?? new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "monthly" };

    public string CheckoutCompleted(DateTimeOffset? created = null) =>
        StripeEventFactory.Event("checkout.session.completed", StripeEventFactory.CheckoutSession(SessionId, "subscription", Amount, Currency,
            Email, Name, CustomerId, null, Month(1).InvoiceId, SubscriptionId, "paid", GiftMetadata, StartedAt.AddMinutes(-2)),
            created ?? StartedAt.AddSeconds(2));

    public string InvoicePaid(int month = 1, bool includePayments = true, DateTimeOffset? created = null) =>
        StripeEventFactory.Event("invoice.paid", StripeEventFactory.Invoice(Month(month).InvoiceId, SubscriptionId, CustomerId, Email, Name, Amount,
            Currency, month == 1 ? "subscription_create" : "subscription_cycle", "paid", MonthStart(month), GiftMetadata,
            includePayments ? Month(month).PaymentIntentId : null), created ?? MonthStart(month).AddSeconds(1));

    public string InvoicePaymentFailed(int month, int attempt = 1, DateTimeOffset? created = null) =>
        StripeEventFactory.Event("invoice.payment_failed", StripeEventFactory.Invoice(Month(month).InvoiceId, SubscriptionId, CustomerId, Email, Name,
            Amount, Currency, month == 1 ? "subscription_create" : "subscription_cycle", "open", MonthStart(month), GiftMetadata,
            attemptCount: attempt, nextPaymentAttempt: MonthStart(month).AddDays(3)), created ?? MonthStart(month).AddSeconds(1));

    public string Subscription(string type, string status, DateTimeOffset created, bool cancelAtPeriodEnd = false, long? amount = null,
        int paidMonths = 1) =>
        StripeEventFactory.Event(type, StripeEventFactory.Subscription(SubscriptionId, CustomerId, amount ?? Amount, Currency, status, StartedAt,
            MonthStart(paidMonths + 1), cancelAtPeriodEnd, status == "canceled" ? created : null, Month(paidMonths).InvoiceId, GiftMetadata), created);

    public string SubscriptionCreated(DateTimeOffset? created = null) =>
        Subscription("customer.subscription.created", "active", created ?? StartedAt);

    public string Refunded(int month, long amountRefunded, DateTimeOffset? created = null) =>
        StripeEventFactory.Event("charge.refunded", StripeEventFactory.Charge(Month(month).ChargeId, Month(month).PaymentIntentId, CustomerId, Email,
            Amount, Currency, amountRefunded, MonthStart(month)), created ?? DateTimeOffset.UtcNow);
}
