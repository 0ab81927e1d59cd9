using Stripe;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Why a Checkout Session could not be started, worded for the reader. The JSON API answers it
/// as RFC 9457 problem details; the form shows <see cref="Detail"/> on the page with the same status.
/// </summary>
public sealed record CheckoutFailure(int Status, string Title, string Detail, TimeSpan? RetryAfter = null)
{
    public static CheckoutFailure TooManyAttempts(TimeSpan? retryAfter) => new(StatusCodes.Status429TooManyRequests,
        "Too many attempts",
        "There have been too many attempts to start a donation from here. No payment was taken. " +
        $"Please wait {Wait(retryAfter)} and try again.", retryAfter);

    public static CheckoutFailure NotConfigured { get; } = new(StatusCodes.Status503ServiceUnavailable,
        "Online donations are not available",
        "Online donations are not set up yet: the payment provider (Stripe) is not configured on this site. " +
        "No payment was taken. Please try again later or contact us.");

    public static CheckoutFailure Timeout { get; } = new(StatusCodes.Status502BadGateway,
        "Payment provider did not answer",
        "Our payment provider (Stripe) did not answer in time. No payment was taken. Please try again in a minute.");

    public static CheckoutFailure Unreachable { get; } = new(StatusCodes.Status502BadGateway,
        "Payment provider unreachable",
        "We could not reach our payment provider (Stripe). No payment was taken. Please try again in a minute.");

    public static CheckoutFailure FromStripe(StripeException ex) => new(StatusCodes.Status502BadGateway,
        "Payment provider refused the donation",
        ex.StripeError?.Code switch
        {
            "amount_too_small" => "Our payment provider (Stripe) does not accept an amount this small in this currency. " +
                                  "No payment was taken. Please choose a larger amount.",
            "amount_too_large" => "Our payment provider (Stripe) does not accept an amount this large. " +
                                  "No payment was taken. Please choose a smaller amount or contact us.",
            _ => "Our payment provider (Stripe) could not start your donation. No payment was taken. " +
                 "Please try again in a minute; if it keeps happening, contact us.",
        });

    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToProblem(HttpContext http)
    {
        SetRetryAfter(http);
        return TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);
    }

    public void SetRetryAfter(HttpContext http)
    {
        if (RetryAfter is { } wait) http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString();
    }

    private static string Wait(TimeSpan? retryAfter) => retryAfter switch
    {
        null => "a few minutes",
        { TotalSeconds: < 90 } w => $"{Math.Max(1, (int)Math.Ceiling(w.TotalSeconds))} seconds",
        { TotalMinutes: < 90 } w => $"{(int)Math.Ceiling(w.TotalMinutes)} minutes",
        var w => $"{(int)Math.Ceiling(w.Value.TotalHours)} hours",
    };
}
