using System.Security.Cryptography;
using System.Text;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Stripe;
using Donations.Data.Entities;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.Checkout;

/// <summary>A started Checkout Session, or why none was started.</summary>
public sealed record CheckoutOutcome(string? Id, string? Url, CheckoutFailure? Failure);

/// <summary>
/// Starts a Stripe Checkout Session for a validated donation: the one place that knows which
/// fields Stripe gets. Never sets <c>receipt_email</c>: the organisation sends the tax receipt,
/// and Stripe's own would be a second one.
/// </summary>
public sealed class CreateCheckoutSession(
    IStripeClient stripe, IOptions<StripeOptions> stripeOptions, IOptions<OrganizationOptions> organization,
    DonationRules rules, CheckoutEmailLimit emailLimit, Pseudonyms pseudonyms, CheckoutMetrics metrics, TimeProvider time,
    ILogger<CreateCheckoutSession> log)
{
    // A reader will not wait for the SDK's own retries to run out; past this they get a 502 to retry.
    private static readonly TimeSpan StripeDeadline = TimeSpan.FromSeconds(20);

    public async Task<CheckoutOutcome> RunAsync(DonationRequest request, string? suppliedKey, HttpContext http)
    {
        var client = pseudonyms.Of(Infrastructure.Web.ClientKey.Of(http));
        var emailKey = request.Email is null ? null : pseudonyms.OfEmail(request.Email);
        if (!IsConfigured(stripeOptions.Value))
            return Fail(CheckoutFailure.NotConfigured, CheckoutMetrics.NotConfigured);
        if (emailKey is not null && !emailLimit.TryAcquire(emailKey, out var retryAfter))
        {
            log.LogWarning("Checkout rate limit reached for email {EmailKey} from client {Client}", emailKey, client);
            return Fail(CheckoutFailure.TooManyAttempts(retryAfter), CheckoutMetrics.RateLimited);
        }

        log.LogInformation("Checkout requested: {Frequency} {Amount} {Currency} (fee {Fee}) from client {Client}, email {EmailKey}",
            request.FrequencyName, request.Charged, request.Currency, request.Fee, client, emailKey ?? "none");
        var options = SessionOptions(request);
        var requestOptions = new RequestOptions { IdempotencyKey = CheckoutIdempotency.Key(request, suppliedKey, http, time) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(StripeDeadline);
        try
        {
            var session = await new SessionService(stripe).CreateAsync(options, requestOptions, deadline.Token);
            log.LogInformation("Checkout session {SessionId} created for client {Client}", session.Id, client);
            if (string.IsNullOrEmpty(session.Url)) return Fail(CheckoutFailure.Unreachable, CheckoutMetrics.StripeFailed);
            metrics.Attempt(CheckoutMetrics.Created);
            return new CheckoutOutcome(session.Id, session.Url, null);
        }
        catch (StripeException ex)
        {
            log.LogWarning("Stripe refused a checkout session: {Status} {ErrorType} {ErrorCode} {StripeMessage}",
                (int)ex.HttpStatusCode, ex.StripeError?.Type, ex.StripeError?.Code, ex.StripeError?.Message);
            return Fail(CheckoutFailure.FromStripe(ex), CheckoutMetrics.StripeFailed);
        }
        catch (HttpRequestException ex)
        {
            log.LogWarning(ex, "Stripe could not be reached to create a checkout session");
            return Fail(CheckoutFailure.Unreachable, CheckoutMetrics.StripeFailed);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            log.LogWarning("Stripe did not answer within {Deadline} when creating a checkout session", StripeDeadline);
            return Fail(CheckoutFailure.Timeout, CheckoutMetrics.StripeFailed);
        }
    }

    private CheckoutOutcome Fail(CheckoutFailure failure, string outcome)
    {
        metrics.Attempt(outcome);
        return new(null, null, failure);
    }

    /// <summary>A key that was never set, or the sample's placeholder, cannot create sessions.</summary>
    public static bool IsConfigured(StripeOptions options) =>
        !string.IsNullOrWhiteSpace(options.SecretKey) && !options.SecretKey.Contains("replace_me", StringComparison.Ordinal);

    internal SessionCreateOptions SessionOptions(DonationRequest r)
    {
        // Monthly and annual gifts are subscriptions; the interval is all that differs.
        var monthly = r.Frequency != DonationFrequency.OneTime;
        var annual = r.Frequency == DonationFrequency.Annual;
        var baseUrl = rules.Options.PublicBaseUrl.TrimEnd('/');
        // The webhook processor reads this back from the session, the payment intent or the
        // subscription, whichever event reaches it first.
        var metadata = new Dictionary<string, string>
        {
            [DonateFlowMetadata.OriginKey] = DonateFlowMetadata.DonatePage,
            ["frequency"] = r.FrequencyName,
            ["cover_fee"] = r.CoverFee ? "true" : "false",
            ["fee_amount"] = r.Fee.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["gift_amount"] = r.Gift.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (r.Campaign is not null) metadata["campaign"] = r.Campaign;
        if (r.Source is not null) metadata["source"] = r.Source;
        foreach (var (key, value) in r.Utm.Named()) metadata[key] = value;

        var org = organization.Value.Name;
        return new SessionCreateOptions
        {
            Mode = monthly ? "subscription" : "payment",
            SubmitType = "donate",
            BillingAddressCollection = rules.Options.CollectBillingAddress ? "required" : null,
            SuccessUrl = baseUrl + "/donate/thank-you?session_id={CHECKOUT_SESSION_ID}",
            CancelUrl = baseUrl + "/donate/canceled",
            CustomerEmail = r.Email,
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = r.Currency,
                        UnitAmount = r.Charged,
                        ProductData = new SessionLineItemPriceDataProductDataOptions
                        {
                            Name = annual ? $"Annual donation to {org}" : monthly ? $"Monthly donation to {org}" : $"Donation to {org}",
                            Description = r.CoverFee && r.Fee > 0
                                ? $"{Money.Format(r.Gift, r.Currency)} gift + {Money.Format(r.Fee, r.Currency)} to cover processing fees"
                                : null,
                        },
                        Recurring = monthly ? new SessionLineItemPriceDataRecurringOptions { Interval = annual ? "year" : "month" } : null,
                    },
                },
            ],
            Metadata = metadata,
            PaymentIntentData = monthly ? null : new SessionPaymentIntentDataOptions { Metadata = new(metadata) },
            SubscriptionData = monthly ? new SessionSubscriptionDataOptions { Metadata = new(metadata) } : null,
        };
    }
}

/// <summary>
/// The idempotency key sent with each session creation, so a double-click or a retried request
/// returns the session already made instead of a second one.
/// <list type="bullet">
/// <item>The form carries a random nonce made when the page was rendered; the JSON API takes the
/// caller's <c>Idempotency-Key</c> header. Either is combined with the normalized request, because
/// Stripe rejects a key reused with different parameters: a reader who goes back and changes the
/// amount gets a new session, a second click on the same form gets the first one.</item>
/// <item>Without either, the key is the client address, user agent, normalized request and the
/// current minute. That catches quick duplicates; two readers behind one address asking for the
/// very same gift in the same minute would share a session, which is why the page always sends a nonce.</item>
/// </list>
/// Stripe keeps keys for 24 hours and replays the first answer, errors included; pages re-rendered
/// after an error carry a fresh nonce.
/// </summary>
public static class CheckoutIdempotency
{
    public const int MaxSuppliedLength = 255;

    public static string Key(DonationRequest r, string? supplied, HttpContext http, TimeProvider time)
    {
        var normalized = string.Join('|', r.FrequencyName, r.Currency, r.Gift, r.Fee, r.CoverFee,
            r.Email?.ToLowerInvariant(), r.Campaign, r.Source, r.Utm.Medium, r.Utm.Content, r.Utm.Term);
        var seed = string.IsNullOrWhiteSpace(supplied)
            ? $"auto|{Infrastructure.Web.ClientKey.Of(http)}|{http.Request.Headers.UserAgent}|{time.GetUtcNow().ToUnixTimeSeconds() / 60}"
            : $"supplied|{supplied.Trim()}";
        return "donate-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed + "|" + normalized)));
    }
}
