using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Donations.Tests.Infrastructure;

/// <summary>One API call as Stripe would have received it.</summary>
public sealed record StripeRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The value of a form field (literal bracketed key, e.g. <c>line_items[0][price_data][currency]</c>).</summary>
    public string? this[string key] => Form.LastOrDefault(f => f.Key == key).Value;
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
    public string? IdempotencyKey => Header("Idempotency-Key");
}

public sealed record StripeReply(int Status, string Json)
{
    public static StripeReply Ok(object body) => new(200, JsonSerializer.Serialize(body));
    public static StripeReply Ok(JsonNode body) => new(200, body.ToJsonString());
    public static StripeReply Error(int status, string type, string message, string? code = null) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["message"] = message, ["code"] = code } }.ToJsonString());
}

/// <summary>
/// Stripe's API, answered by a local HTTP server so the real Stripe.net client is exercised
/// end to end (form encoding, headers, JSON parsing). It records every request, answers the
/// calls the service makes with Stripe-shaped objects, honours idempotency keys the way Stripe
/// does, and lets a test replace any answer with <see cref="On"/>.
/// </summary>
public sealed partial class StripeStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StripeRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (string Fingerprint, StripeReply Reply)> _idempotent = new();
    private readonly ConcurrentDictionary<string, JsonObject> _sessions = new();
    private readonly List<(string Method, string Path, Func<StripeRequest, StripeReply> Handler)> _overrides = [];
    private int _counter;

    private StripeStandIn(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public IReadOnlyList<StripeRequest> Requests => _requests.ToArray();

    /// <summary>
    /// Events that <c>GET /v1/events</c> lists, newest first as Stripe does (raw event JSON). Each is
    /// listed as it is stored here: an event of the account's older default API version keeps that
    /// version's <c>api_version</c> and shapes, as Stripe renders it once, at creation.
    /// </summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>
    /// Objects as they stand now, rendered at the pinned API version (the service's client always
    /// asks for it), by id: <c>GET /v1/{resource}/{id}</c> answers with them, and
    /// <c>GET /v1/invoice_payments</c> lists the <c>invoice_payment</c> objects among them.
    /// </summary>
    public ConcurrentDictionary<string, JsonObject> Objects { get; } = new();

    /// <summary>Keeps <paramref name="obj"/> (by its <c>id</c>) for the object endpoints.</summary>
    public void Store(JsonObject obj) => Objects[(string)obj["id"]!] = (JsonObject)obj.DeepClone();

    public IEnumerable<StripeRequest> RequestsTo(string method, string path) =>
        Requests.Where(r => r.Method == method && r.Path == path);

    public static async Task<StripeStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new StripeStandIn(app);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    /// <summary>Answer <paramref name="method"/> <paramref name="path"/> (a trailing * matches a prefix) with the handler.</summary>
    public void On(string method, string path, Func<StripeRequest, StripeReply> handler)
    {
        lock (_overrides) _overrides.Insert(0, (method, path, handler));
    }

    /// <summary>Answer <paramref name="method"/> <paramref name="path"/> (a trailing * matches a prefix) as usual, but only after <paramref name="delay"/>: a slow Stripe.</summary>
    public void Slow(string method, string path, TimeSpan delay)
    {
        lock (_delays) _delays.Insert(0, (method, path, delay));
    }

    private readonly List<(string Method, string Path, TimeSpan Delay)> _delays = [];

    public string NextId(string prefix) => $"{prefix}_test_{Interlocked.Increment(ref _counter):D6}{Guid.NewGuid():N}"[..(prefix.Length + 30)];

    private async Task HandleAsync(HttpContext http)
    {
        var request = await ReadAsync(http.Request);
        if (!request.Path.StartsWith("/v1/"))
        {
            await ServePageAsync(http, request);
            return;
        }
        _requests.Enqueue(request);
        TimeSpan? delay;
        lock (_delays)
            delay = _delays.Where(d => d.Method == request.Method && (d.Path.EndsWith('*') ? request.Path.StartsWith(d.Path[..^1]) : request.Path == d.Path))
                .Select(d => (TimeSpan?)d.Delay).FirstOrDefault();
        if (delay is { } wait)
        {
            try
            {
                await Task.Delay(wait, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up waiting
            }
        }

        var reply = ReplayOrAnswer(request);

        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = "application/json";
        http.Response.Headers["Request-Id"] = $"req_{Guid.NewGuid():N}";
        await http.Response.WriteAsync(reply.Json);
    }

    /// <summary>
    /// Idempotency as Stripe does it: a POST whose key was seen before gets the first answer again,
    /// errors included, but only with the same method, path and parameters; the same key with
    /// other parameters is refused with <c>idempotency_error</c> (400).
    /// </summary>
    private StripeReply ReplayOrAnswer(StripeRequest request)
    {
        var key = request.IdempotencyKey;
        if (request.Method != "POST" || key is null) return Answer(request);
        var fingerprint = $"{request.Method} {request.Path}?{string.Join('&', request.Form.Select(f => $"{f.Key}={f.Value}"))}";
        var first = _idempotent.GetOrAdd(key, _ => (fingerprint, Answer(request)));
        return first.Fingerprint == fingerprint
            ? first.Reply
            : new StripeReply(400, new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["type"] = "idempotency_error",
                    ["message"] = $"Keys for idempotent requests can only be used with the same parameters they were first used with. "
                        + $"Try using a key other than '{key}' if you meant to execute a different request.",
                },
            }.ToJsonString());
    }

    private StripeReply Answer(StripeRequest r)
    {
        Func<StripeRequest, StripeReply>? custom;
        lock (_overrides)
            custom = _overrides.FirstOrDefault(o => o.Method == r.Method &&
                (o.Path.EndsWith('*') ? r.Path.StartsWith(o.Path[..^1]) : r.Path == o.Path)).Handler;
        if (custom is not null) return custom(r);
        if (AnswerFinance(r) is { } finance) return finance;
        if (AnswerSubscriptions(r) is { } subscription) return subscription;

        return (r.Method, r.Path) switch
        {
            ("POST", "/v1/checkout/sessions") => CreateCheckoutSession(r),
            ("GET", var p) when p.StartsWith("/v1/checkout/sessions/") => _sessions.TryGetValue(p[22..], out var s)
                || Objects.TryGetValue(p[22..], out s)
                ? StripeReply.Ok(s)
                : StripeReply.Error(404, "invalid_request_error", $"No such checkout.session: '{p[22..]}'", "resource_missing"),
            ("POST", "/v1/billing_portal/sessions") => CreatePortalSession(r),
            ("POST", var p) when p.StartsWith("/v1/customers/") && p.Count(c => c == '/') == 3 => UpdateCustomer(r, p[14..]),
            ("GET", "/v1/events") => ListEvents(r),
            ("GET", "/v1/invoice_payments") => ListInvoicePayments(r),
            ("GET", var p) when p.Count(c => c == '/') == 3 && Objects.TryGetValue(p[(p.LastIndexOf('/') + 1)..], out var o) => StripeReply.Ok(o),
            ("GET", var p) when p.Count(c => c == '/') == 3 => StripeReply.Error(404, "invalid_request_error",
                $"No such object: '{p[(p.LastIndexOf('/') + 1)..]}'", "resource_missing"),
            _ => StripeReply.Error(404, "invalid_request_error", $"Unrecognized request URL ({r.Method}: {r.Path})."),
        };
    }

    private StripeReply CreateCheckoutSession(StripeRequest r)
    {
        if (StripeCheckoutRules.Refusal(r) is { } refused) return refused;
        var id = NextId("cs");
        var mode = r["mode"] ?? "payment";
        var amount = long.TryParse(r["line_items[0][price_data][unit_amount]"], out var a) ? a : 0;
        var quantity = long.TryParse(r["line_items[0][quantity]"], out var q) ? q : 1;
        var metadata = new JsonObject();
        foreach (var (k, v) in r.Form.Where(f => f.Key.StartsWith("metadata[")))
            metadata[k[9..^1]] = v;
        var session = new JsonObject
        {
            ["id"] = id,
            ["object"] = "checkout.session",
            ["mode"] = mode,
            ["status"] = "open",
            ["payment_status"] = "unpaid",
            ["amount_total"] = amount * quantity,
            ["amount_subtotal"] = amount * quantity,
            ["currency"] = r["line_items[0][price_data][currency]"],
            ["customer_email"] = r["customer_email"],
            ["submit_type"] = r["submit_type"],
            ["success_url"] = r["success_url"],
            ["cancel_url"] = r["cancel_url"],
            ["metadata"] = metadata,
            ["livemode"] = false,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
            ["url"] = $"{BaseUrl}/checkout/{id}",
        };
        _sessions[id] = session;
        return StripeReply.Ok(session);
    }

    /// <summary>
    /// POST /v1/billing_portal/sessions, refusing what Stripe refuses (endive's
    /// <c>BillingPortal.SessionCreateParams</c>): no customer, an unknown <c>flow_data[type]</c> or
    /// <c>after_completion[type]</c>, a redirect without its URL, a confirmation message over 500 characters.
    /// </summary>
    private StripeReply CreatePortalSession(StripeRequest r)
    {
        if (string.IsNullOrEmpty(r["customer"])) return StripeReply.Error(400, "invalid_request_error", "Missing required param: customer.");
        var flowType = r["flow_data[type]"];
        var unknown = r.Form.Select(f => f.Key).FirstOrDefault(k => k.StartsWith("flow_data[") && !PortalFlowKeys.Any(k.StartsWith));
        if (unknown is not null) return StripeReply.Error(400, "invalid_request_error", $"Received unknown parameter: {unknown}");
        if (flowType is not (null or "customer_update" or "payment_method_update" or "subscription_cancel" or "subscription_update" or "subscription_update_confirm" or "subscription_pause"))
            return StripeReply.Error(400, "invalid_request_error", $"Invalid flow_data[type]: {flowType}");
        var after = r["flow_data[after_completion][type]"];
        if (after is not (null or "hosted_confirmation" or "portal_homepage" or "redirect"))
            return StripeReply.Error(400, "invalid_request_error", $"Invalid flow_data[after_completion][type]: {after}");
        if (after == "redirect" && string.IsNullOrEmpty(r["flow_data[after_completion][redirect][return_url]"]))
            return StripeReply.Error(400, "invalid_request_error", "Missing required param: flow_data[after_completion][redirect][return_url].");
        if (r["flow_data[after_completion][hosted_confirmation][custom_message]"] is { Length: > 500 })
            return StripeReply.Error(400, "invalid_request_error", "flow_data[after_completion][hosted_confirmation][custom_message] must be at most 500 characters.");
        var id = NextId("bps");
        return StripeReply.Ok(new JsonObject
        {
            ["id"] = id,
            ["object"] = "billing_portal.session",
            ["customer"] = r["customer"],
            ["return_url"] = r["return_url"],
            ["flow"] = flowType is null ? null : new JsonObject
            {
                ["type"] = flowType,
                ["after_completion"] = new JsonObject { ["type"] = after ?? "portal_homepage" },
            },
            ["livemode"] = false,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["url"] = $"{BaseUrl}/portal/{id}" + (flowType is null ? "" : $"/flow/{flowType}"),
        });
    }

    /// <summary>
    /// POST /v1/customers/{id} on a customer put in here, with endive's <c>CustomerUpdateParams</c>
    /// only; an empty value unsets the field, and an empty <c>metadata</c>, <c>address</c> or
    /// <c>shipping</c> unsets all of it, as Stripe does.
    /// </summary>
    private StripeReply UpdateCustomer(StripeRequest r, string id)
    {
        if (!_objects.TryGetValue(id, out var customer) || (string?)customer["object"] != "customer")
            return StripeReply.Error(404, "invalid_request_error", $"No such customer: '{id}'", "resource_missing");
        var unknown = r.Form.Select(f => f.Key.Split('[')[0]).FirstOrDefault(k => !CustomerUpdateKeys.Contains(k));
        if (unknown is not null) return StripeReply.Error(400, "invalid_request_error", $"Received unknown parameter: {unknown}");
        foreach (var (key, value) in r.Form)
        {
            if (key is "metadata" or "address" or "shipping" && value != "")
                return StripeReply.Error(400, "invalid_request_error", $"Invalid value for {key}: only an empty string unsets it.");
            if (key == "metadata") customer["metadata"] = new JsonObject();
            else if (key.StartsWith("metadata[")) customer["metadata"]![key[9..^1]] = value == "" ? null : value;
            else if (!key.Contains('[')) customer[key] = value == "" ? null : value;
        }
        return StripeReply.Ok(customer.DeepClone().AsObject());
    }

    private static readonly HashSet<string> CustomerUpdateKeys =
    [
        "address", "balance", "business_name", "cash_balance", "default_source", "description", "email", "expand", "individual_name",
        "invoice_prefix", "invoice_settings", "metadata", "name", "next_invoice_sequence", "phone", "preferred_locales", "shipping",
        "source", "tax", "tax_exempt", "validate",
    ];

    /// <summary>The parameters (and parameter families) under <c>flow_data</c> that endive accepts.</summary>
    private static readonly string[] PortalFlowKeys =
    [
        "flow_data[type]", "flow_data[after_completion][type]", "flow_data[after_completion][redirect][return_url]",
        "flow_data[after_completion][hosted_confirmation][custom_message]", "flow_data[subscription_cancel][",
        "flow_data[subscription_update][", "flow_data[subscription_update_confirm][", "flow_data[subscription_pause][",
    ];

    /// <summary>
    /// GET /v1/events with <c>created[gte]</c>, <c>types[]</c>, <c>limit</c> and <c>starting_after</c>,
    /// like Stripe's list.
    /// </summary>
    private StripeReply ListEvents(StripeRequest r)
    {
        var query = System.Web.HttpUtility.ParseQueryString(r.Query);
        var limit = int.TryParse(query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 10;
        long.TryParse(query["created[gte]"], out var createdFrom);
        var types = query.AllKeys.Where(k => k is not null && k.StartsWith("types[")).SelectMany(k => query.GetValues(k)!).ToHashSet();
        var all = Events.Select(e => JsonNode.Parse(e)!.AsObject())
            .Where(e => e["created"]!.GetValue<long>() >= createdFrom)
            .Where(e => types.Count == 0 || types.Contains((string)e["type"]!))
            .OrderByDescending(e => e["created"]!.GetValue<long>())
            .ToList();
        var start = query["starting_after"] is { } after ? all.FindIndex(e => (string?)e["id"] == after) + 1 : 0;
        var page = all.Skip(start).Take(limit).ToList();
        return StripeReply.Ok(new JsonObject
        {
            ["object"] = "list",
            ["url"] = "/v1/events",
            ["has_more"] = start + page.Count < all.Count,
            ["data"] = new JsonArray(page.Select(e => (JsonNode)e).ToArray()),
        });
    }

    /// <summary>GET /v1/invoice_payments by <c>invoice</c> or <c>payment[payment_intent]</c>, from <see cref="Objects"/>.</summary>
    private StripeReply ListInvoicePayments(StripeRequest r)
    {
        var query = System.Web.HttpUtility.ParseQueryString(r.Query);
        var (invoice, intent) = (query["invoice"], query["payment[payment_intent]"]);
        var found = Objects.Values
            .Where(o => (string?)o["object"] == "invoice_payment")
            .Where(o => (invoice is null || (string?)o["invoice"] == invoice)
                        && (intent is null || (string?)o["payment"]?["payment_intent"] == intent))
            .Select(o => (JsonNode)o.DeepClone()).ToArray();
        return StripeReply.Ok(new JsonObject
        {
            ["object"] = "list", ["url"] = "/v1/invoice_payments", ["has_more"] = false, ["data"] = new JsonArray(found),
        });
    }

    /// <summary>The hosted pages a browser is sent to (Checkout, billing portal): a plain page saying where it is.</summary>
    private static Task ServePageAsync(HttpContext http, StripeRequest r)
    {
        http.Response.ContentType = "text/html; charset=utf-8";
        var title = r.Path.StartsWith("/checkout/") ? "Stripe Checkout (test stand-in)" : "Stripe (test stand-in)";
        return http.Response.WriteAsync($"<!doctype html><title>{title}</title><h1>{title}</h1><p id=\"path\">{System.Net.WebUtility.HtmlEncode(r.Path)}</p>");
    }

    private static async Task<StripeRequest> ReadAsync(HttpRequest request)
    {
        var form = new List<KeyValuePair<string, string>>();
        if (request.HasFormContentType)
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                var k = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
                var v = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
                form.Add(new(k, v));
            }
        }
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        return new StripeRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value?.TrimStart('?') ?? "", form, headers);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
