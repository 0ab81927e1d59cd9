using System.Text;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Observability;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// <c>POST /stripe/webhook</c>: verify, record, answer. Processing happens in a Hangfire job that
/// the dispatcher enqueues; nothing here calls Stripe, sends mail or touches Hangfire, so a burst
/// of deliveries costs one INSERT each.
/// </summary>
public sealed class ReceiveStripeWebhook
{
    // Not static only so that it can name its log category (ILogger<ReceiveStripeWebhook>).
    private ReceiveStripeWebhook() { }

    /// <summary>Stripe's events are a few KiB; anything this large is not one of them.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Metric tag for deliveries whose type cannot be trusted or read.</summary>
    private const string UnverifiedType = "(unverified)";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<Results<Ok, ProblemHttpResult>> HandleAsync(
        HttpRequest request, IOptionsMonitor<StripeOptions> options, StripeInbox inbox, TimeProvider time,
        DonationsMetrics metrics, ILogger<ReceiveStripeWebhook> log, CancellationToken ct)
    {
        var stripe = options.CurrentValue;
        var secrets = stripe.WebhookSecrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToArray();
        if (secrets.Length == 0)
            return Problem(StatusCodes.Status503ServiceUnavailable, "Stripe webhooks are not configured",
                "Set Stripe:WebhookSecrets to the endpoint's signing secret (whsec_...) and restart.");

        var body = await ReadLimitedAsync(request, ct);
        if (body is null)
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"A Stripe event body must not exceed {MaxBodyBytes / 1024} KiB.");

        var check = StripeSignature.Verify(body, request.Headers["Stripe-Signature"].ToString(), secrets,
            TimeSpan.FromSeconds(stripe.WebhookToleranceSeconds), time.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            log.LogWarning("Rejected a Stripe webhook: signature {Check}", check);
            metrics.WebhookEvent(UnverifiedType, "rejected");
            return Problem(StatusCodes.Status400BadRequest, "Invalid signature", check switch
            {
                SignatureCheck.Missing => "The Stripe-Signature header is missing.",
                SignatureCheck.Malformed => "The Stripe-Signature header is not of the form t=<unix>,v1=<hex>.",
                SignatureCheck.Stale => $"The signature timestamp is more than {stripe.WebhookToleranceSeconds} s away from now.",
                _ => "The signature does not match any configured webhook secret (Stripe:WebhookSecrets).",
            });
        }

        var envelope = StripeEventEnvelope.TryParse(body);
        string payload;
        try { payload = StrictUtf8.GetString(body); }
        catch (DecoderFallbackException) { envelope = null; payload = ""; }
        if (envelope is null)
        {
            metrics.WebhookEvent(UnverifiedType, "malformed");
            return Problem(StatusCodes.Status400BadRequest, "Malformed event",
                "The body is not a Stripe event: a JSON object with string id and type and a numeric created.");
        }

        var result = await inbox.AddAsync(envelope, payload, StripeInbox.FromWebhook, ct);
        log.LogInformation("Stripe event {EventId} ({EventType}) {Result}", envelope.Id, envelope.Type, result);
        metrics.WebhookEvent(envelope.Type, result == InboxResult.Duplicate ? "duplicate"
            : StripeApiVersion.IsSupported(envelope.ApiVersion) ? "received" : "api_version_mismatch");
        return TypedResults.Ok();
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = new byte[Math.Min(request.ContentLength ?? 16 * 1024, MaxBodyBytes) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxBodyBytes) return null;
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
        }
        return length > MaxBodyBytes ? null : buffer[..length];
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}
