using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// The stand-in's money side: charges, payment intents, refunds, disputes, invoices, balance
/// transactions and payouts that a test puts in, served back the way Stripe serves them —
/// retrieve by id, list (refunds and disputes of a charge too) with <c>created</c>/<c>status</c>/<c>payout</c>/<c>charge</c> filters and
/// <c>starting_after</c> paging, and <c>expand[]</c> (including <c>data.*</c> on lists).
/// </summary>
public sealed partial class StripeStandIn
{
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new();
    private readonly ConcurrentDictionary<string, string> _payoutOf = new();

    /// <summary>Stores (or replaces) an object Stripe would hold, keyed by its id.</summary>
    public JsonObject Put(JsonObject o)
    {
        _objects[(string)o["id"]!] = o;
        return o;
    }

    public JsonObject Object(string id) => _objects[id];

    /// <summary>A paid charge with its payment intent and balance transaction (fee, and a conversion when <paramref name="settlementCurrency"/> differs).</summary>
    public JsonObject AddCharge(string chargeId, string paymentIntentId, long amount, string currency, long fee, DateTimeOffset created,
        IReadOnlyDictionary<string, string>? metadata = null, string? settlementCurrency = null, decimal? exchangeRate = null)
    {
        var settled = exchangeRate is { } rate ? (long)Math.Round(amount * rate) : amount;
        var txn = AddBalanceTransaction("charge", "charge", chargeId, settled, fee, settlementCurrency ?? currency, created, exchangeRate);
        Put(new JsonObject
        {
            ["id"] = paymentIntentId, ["object"] = "payment_intent", ["amount"] = amount, ["amount_received"] = amount, ["currency"] = currency,
            ["created"] = created.ToUnixTimeSeconds(), ["latest_charge"] = chargeId, ["livemode"] = false,
            ["metadata"] = StripeEventFactory.Metadata(metadata), ["status"] = "succeeded",
        });
        return Put(new JsonObject
        {
            ["id"] = chargeId, ["object"] = "charge", ["amount"] = amount, ["amount_captured"] = amount, ["amount_refunded"] = 0L,
            ["balance_transaction"] = (string)txn["id"]!, ["captured"] = true, ["created"] = created.ToUnixTimeSeconds(),
            ["currency"] = currency, ["disputed"] = false, ["livemode"] = false, ["metadata"] = new JsonObject(), ["paid"] = true,
            ["payment_intent"] = paymentIntentId, ["refunded"] = false, ["status"] = "succeeded",
            ["refunds"] = StripeEventFactory.List($"/v1/charges/{chargeId}/refunds"),
        });
    }

    /// <summary>How many items Stripe embeds of a list inside an object (e.g. a charge's <c>refunds</c>).</summary>
    public const int EmbeddedListLimit = 10;

    /// <summary>Refunds part of a charge: a refund, its balance transaction, and the charge's running total.</summary>
    public JsonObject AddRefund(string chargeId, long amount, DateTimeOffset created, long feeReturned = 0)
    {
        var charge = _objects[chargeId];
        var refundId = NextId("re");
        var txn = AddBalanceTransaction("refund", "refund", refundId, -amount, -feeReturned, (string)_objects[(string)charge["balance_transaction"]!]["currency"]!, created);
        var refund = Put(new JsonObject
        {
            ["id"] = refundId, ["object"] = "refund", ["amount"] = amount, ["balance_transaction"] = (string)txn["id"]!, ["charge"] = chargeId,
            ["created"] = created.ToUnixTimeSeconds(), ["currency"] = (string)charge["currency"]!, ["payment_intent"] = (string?)charge["payment_intent"],
            ["status"] = "succeeded",
        });
        var refunded = charge["amount_refunded"]!.GetValue<long>() + amount;
        charge["amount_refunded"] = refunded;
        charge["refunded"] = refunded >= charge["amount"]!.GetValue<long>();
        // As Stripe embeds a list: the newest first, at most ten, the rest only in GET /v1/refunds?charge=.
        var embedded = charge["refunds"]!["data"]!.AsArray();
        embedded.Insert(0, refund.DeepClone());
        if (embedded.Count > EmbeddedListLimit)
        {
            embedded.RemoveAt(EmbeddedListLimit);
            charge["refunds"]!["has_more"] = true;
        }
        return refund;
    }

    /// <summary>
    /// A dispute of the whole charge, as Stripe books one: the amount withdrawn with the dispute fee
    /// (an <c>adjustment</c> of category <c>dispute</c>) and, when <paramref name="reinstatedAt"/> is
    /// given, both returned (category <c>dispute_reversal</c>). Returns the dispute; its transactions
    /// are in its <c>balance_transactions</c>, expanded as Stripe gives them.
    /// </summary>
    public JsonObject AddDispute(string chargeId, DateTimeOffset created, long fee = 1500, DateTimeOffset? reinstatedAt = null)
    {
        var charge = _objects[chargeId];
        var (amount, currency) = (charge["amount"]!.GetValue<long>(), (string)_objects[(string)charge["balance_transaction"]!]["currency"]!);
        var disputeId = NextId("dp");
        var moved = new JsonArray(AddBalanceTransaction("adjustment", "dispute", disputeId, -amount, fee, currency, created).DeepClone());
        if (reinstatedAt is { } back)
            moved.Add(AddBalanceTransaction("adjustment", "dispute_reversal", disputeId, amount, -fee, currency, back).DeepClone());
        charge["disputed"] = true;
        return Put(new JsonObject
        {
            ["id"] = disputeId, ["object"] = "dispute", ["amount"] = amount, ["balance_transactions"] = moved, ["charge"] = chargeId,
            ["created"] = created.ToUnixTimeSeconds(), ["currency"] = (string)charge["currency"]!, ["livemode"] = false,
            ["payment_intent"] = (string?)charge["payment_intent"], ["reason"] = "fraudulent", ["status"] = reinstatedAt is null ? "lost" : "won",
        });
    }

    public JsonObject AddBalanceTransaction(string type, string category, string? sourceId, long amount, long fee, string currency,
        DateTimeOffset created, decimal? exchangeRate = null) => Put(new JsonObject
    {
        ["id"] = NextId("txn"), ["object"] = "balance_transaction", ["amount"] = amount, ["available_on"] = created.AddDays(2).ToUnixTimeSeconds(),
        ["balance_type"] = "payments", ["created"] = created.ToUnixTimeSeconds(), ["currency"] = currency, ["description"] = null,
        ["exchange_rate"] = exchangeRate, ["fee"] = fee, ["fee_details"] = new JsonArray(), ["net"] = amount - fee,
        ["reporting_category"] = category, ["source"] = sourceId, ["status"] = "available", ["type"] = type,
    });

    /// <summary>A paid automatic payout of these balance transactions; its amount is their net, less <paramref name="shortBy"/>.</summary>
    public JsonObject AddPayout(DateTimeOffset arrival, IEnumerable<string> transactionIds, long shortBy = 0)
    {
        var ids = transactionIds.ToList();
        var payoutId = NextId("po");
        var amount = ids.Sum(id => _objects[id]["net"]!.GetValue<long>()) - shortBy;
        var currency = ids.Count > 0 ? (string)_objects[ids[0]]["currency"]! : "usd";
        var own = AddBalanceTransaction("payout", "payout", payoutId, -amount, 0, currency, arrival.AddDays(-2));
        foreach (var id in ids.Append((string)own["id"]!)) _payoutOf[id] = payoutId;
        return Put(new JsonObject
        {
            ["id"] = payoutId, ["object"] = "payout", ["amount"] = amount, ["arrival_date"] = arrival.ToUnixTimeSeconds(), ["automatic"] = true,
            ["balance_transaction"] = (string)own["id"]!, ["created"] = arrival.AddDays(-2).ToUnixTimeSeconds(), ["currency"] = currency,
            ["livemode"] = false, ["metadata"] = new JsonObject(), ["method"] = "standard", ["reconciliation_status"] = "completed",
            ["source_type"] = "card", ["status"] = "paid", ["type"] = "bank_account",
        });
    }

    /// <summary>The balance transaction id of a charge or refund put in here.</summary>
    public string TransactionOf(string objectId) => (string)_objects[objectId]["balance_transaction"]!;

    private StripeReply? AnswerFinance(StripeRequest r)
    {
        if (r.Method != "GET") return null;
        var query = System.Web.HttpUtility.ParseQueryString(r.Query);
        var expand = query.AllKeys.Where(k => k is not null && k.StartsWith("expand[")).SelectMany(k => query.GetValues(k)!).ToList();
        foreach (var (prefix, type) in Retrievable)
            if (r.Path.StartsWith(prefix) && r.Path.Length > prefix.Length && !r.Path[prefix.Length..].Contains('/'))
                // Not put in here: the general object store (Store) answers, or says it is missing.
                return _objects.TryGetValue(r.Path[prefix.Length..], out var found) && (string?)found["object"] == type
                    ? StripeReply.Ok(Expand(Includable(found.DeepClone().AsObject(), expand), expand))
                    : null;
        var listed = r.Path switch
        {
            "/v1/balance_transactions" => Of("balance_transaction").Where(t => query["payout"] is not { } po || _payoutOf.GetValueOrDefault((string)t["id"]!) == po),
            "/v1/charges" => Of("charge"),
            "/v1/invoices" => Of("invoice").Where(i => query["status"] is not { } s || (string?)i["status"] == s),
            "/v1/payouts" => Of("payout").Where(p => query["status"] is not { } s || (string?)p["status"] == s),
            "/v1/refunds" => Of("refund").Where(re => query["charge"] is not { } c || (string?)re["charge"] == c),
            "/v1/disputes" => Of("dispute").Where(d => query["charge"] is not { } c || (string?)d["charge"] == c),
            "/v1/checkout/sessions" => Of("checkout.session").Where(cs => query["payment_intent"] is not { } pi || (string?)cs["payment_intent"] == pi),
            _ => null,
        };
        return listed is null ? null : Page(r.Path, listed, query, expand);
    }

    /// <summary>
    /// As Stripe answers at the pinned API version: a charge's <c>refunds</c> is an includable field,
    /// left out unless <c>expand[]=refunds</c> asks for it (or always, with <see cref="OmitChargeRefunds"/>).
    /// </summary>
    private JsonObject Includable(JsonObject o, List<string> expand)
    {
        if ((string?)o["object"] == "charge" && (OmitChargeRefunds || !expand.Contains("refunds"))) o.Remove("refunds");
        return o;
    }

    /// <summary>Leave a charge's refunds out even when expanded, as a Stripe that ignores the request would.</summary>
    public bool OmitChargeRefunds { get; set; }

    private static readonly (string Prefix, string Type)[] Retrievable =
    [
        ("/v1/balance_transactions/", "balance_transaction"), ("/v1/charges/", "charge"), ("/v1/payment_intents/", "payment_intent"),
        ("/v1/invoices/", "invoice"), ("/v1/payouts/", "payout"), ("/v1/subscriptions/", "subscription"), ("/v1/customers/", "customer"),
        ("/v1/payment_methods/", "payment_method"),
    ];

    private IEnumerable<JsonObject> Of(string type) => _objects.Values.Where(o => (string?)o["object"] == type);

    private StripeReply Page(string url, IEnumerable<JsonObject> items, System.Collections.Specialized.NameValueCollection query, List<string> expand)
    {
        long.TryParse(query["created[gte]"], out var from);
        var to = long.TryParse(query["created[lt]"], out var lt) ? lt : long.MaxValue;
        var all = items.Where(o => o["created"]!.GetValue<long>() >= from && o["created"]!.GetValue<long>() < to)
            .OrderByDescending(o => o["created"]!.GetValue<long>()).ThenBy(o => (string)o["id"]!).ToList();
        var limit = int.TryParse(query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 10;
        var start = query["starting_after"] is { } after ? all.FindIndex(o => (string?)o["id"] == after) + 1 : 0;
        var page = all.Skip(start).Take(limit).Select(o => (JsonNode)o.DeepClone()).ToArray();
        var list = new JsonObject { ["object"] = "list", ["url"] = url, ["has_more"] = start + page.Length < all.Count, ["data"] = new JsonArray(page) };
        return StripeReply.Ok(Expand(list, expand));
    }

    /// <summary>Replaces ids with the objects they name along each <c>expand[]</c> path, as Stripe does.</summary>
    private JsonObject Expand(JsonObject root, List<string> paths)
    {
        foreach (var path in paths) ExpandAt(root, path.Split('.'));
        return root;
    }

    private void ExpandAt(JsonNode? node, ReadOnlySpan<string> path)
    {
        if (node is not JsonObject o || path.IsEmpty) return;
        var field = path[0];
        if (field == "data" && o["data"] is JsonArray items)
        {
            foreach (var item in items) ExpandAt(item, path[1..]);
            return;
        }
        if (o[field] is JsonValue v && v.TryGetValue<string>(out var id) && _objects.TryGetValue(id, out var target))
            o[field] = target.DeepClone();
        ExpandAt(o[field], path[1..]);
    }
}
