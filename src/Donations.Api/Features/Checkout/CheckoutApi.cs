using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// POST /api/checkout: the JSON twin of the form. Amounts are integer minor units; errors are
/// RFC 9457 problem details (validation errors list each field under <c>errors</c>).
/// </summary>
public static class CheckoutApi
{
    public sealed record Request(
        decimal? Amount, string? Currency, string? Frequency, string? Email, bool? CoverFee, string? Campaign, string? Source,
        string? UtmMedium = null, string? UtmContent = null, string? UtmTerm = null);

    public sealed record Response(string Id, string Url);

    private const string ValidationTitle = "Your donation could not be started";

    public static async Task<Results<Ok<Response>, ValidationProblem, ProblemHttpResult>> Create(
        HttpContext http, DonationRules rules, CreateCheckoutSession checkout, CheckoutMetrics metrics, ILoggerFactory logs)
    {
        var log = logs.CreateLogger(typeof(CheckoutApi));
        // A body that is not application/json never gets here: routing answers 415 (see Accepts in CheckoutSetup).
        Request? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<Request>(http.RequestAborted);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return Invalid(field, field == "body"
                ? "The request body is not a valid JSON object."
                : $"{field} has the wrong type (amount is an integer, coverFee true or false, the rest strings).");
        }
        if (body is null) return Invalid("body", "The request body must be a JSON object with at least an amount.");

        var suppliedKey = http.Request.Headers["Idempotency-Key"].ToString();
        if (suppliedKey.Length > CheckoutIdempotency.MaxSuppliedLength)
            return Invalid("Idempotency-Key", $"The Idempotency-Key header must be at most {CheckoutIdempotency.MaxSuppliedLength} characters.");

        var input = new DonationInput(body.Amount, InMajorUnits: false, null, body.Currency, body.Frequency,
            body.CoverFee ?? false, body.Email, body.Campaign, body.Source)
            { Utm = new UtmTags(body.UtmMedium, body.UtmContent, body.UtmTerm) };
        var request = rules.Validate(input, out var errors);
        if (request is null)
        {
            metrics.Attempt(CheckoutMetrics.Invalid);
            log.LogInformation("Checkout request rejected: {Fields}", string.Join(",", errors.Keys));
            return TypedResults.ValidationProblem(errors, title: ValidationTitle, detail: "Please correct the fields listed under errors.");
        }

        var outcome = await checkout.RunAsync(request, suppliedKey, http);
        return outcome.Failure is { } failure ? failure.ToProblem(http) : TypedResults.Ok(new Response(outcome.Id!, outcome.Url!));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: ValidationTitle, detail: message);
}
