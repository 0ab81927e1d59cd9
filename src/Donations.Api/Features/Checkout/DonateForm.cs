using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// GET /donate shows the form; POST /donate validates it, starts Checkout and answers 303 to
/// Stripe, or shows the form again with what went wrong (400 for the reader's input, the
/// failure's own status otherwise).
/// </summary>
public static class DonateForm
{
    public static IResult Show(HttpRequest request, DonationRules rules, IOptions<OrganizationOptions> organization)
    {
        var q = request.Query;
        var currency = rules.Currency(q["currency"]) ?? rules.Options.DefaultCurrency;
        var frequency = Frequencies.Parse(q["frequency"]) is { } f ? Frequencies.Name(f) : Frequencies.OneTime;
        // An article's link may suggest an amount (?amount=50); a preset is chosen, anything else fills "other".
        var presets = Presets(rules, currency);
        var suggested = Money.ParseMajor(q["amount"], currency) is { } m
            ? Money.FormatPlain(Money.ToMinor(m, currency), currency) : null;
        var preset = suggested is null ? presets.ElementAtOrDefault(presets.Count > 1 ? 1 : 0)
            : presets.Contains(suggested) ? suggested : null;
        var state = new DonateFormState(currency, frequency, preset, presets.Contains(suggested ?? "") ? null : suggested,
            CoverFee: IsTicked(q["coverFee"]), Email: null,
            DonationRules.Attribution(First(q["campaign"], q["utm_campaign"])),
            DonationRules.Attribution(First(q["source"], q["utm_source"])))
            { Utm = UtmTags.From(q[UtmTags.MediumKey], q[UtmTags.ContentKey], q[UtmTags.TermKey]) };
        return new DonatePage(rules, organization.Value).Render(state);
    }

    public static async Task<IResult> Submit(HttpContext http, DonationRules rules, CreateCheckoutSession checkout,
        IOptions<OrganizationOptions> organization, CheckoutMetrics metrics, ILoggerFactory logs)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var currency = rules.Currency(form["currency"]) ?? rules.Options.DefaultCurrency;
        var custom = Blank(form["customAmount"]);
        var amountText = custom ?? Blank(form["amount"]);
        var amount = Money.ParseMajor(amountText, currency);
        var input = new DonationInput(amount, InMajorUnits: true,
            amountText is not null && amount is null ? "Please enter the amount as a number, such as 25 or 12.50." : null,
            form["currency"], form["frequency"], IsTicked(form["coverFee"]), form["email"], form["campaign"], form["source"])
            { Utm = new UtmTags(form[UtmTags.MediumKey], form[UtmTags.ContentKey], form[UtmTags.TermKey]) };
        var state = new DonateFormState(currency, Frequencies.Parse(form["frequency"]) is { } f ? Frequencies.Name(f) : Frequencies.OneTime,
            custom is null ? amountText : null, custom, input.CoverFee, Blank(form["email"]),
            DonationRules.Attribution(form["campaign"]), DonationRules.Attribution(form["source"]))
            { Utm = UtmTags.From(form[UtmTags.MediumKey], form[UtmTags.ContentKey], form[UtmTags.TermKey]) };
        var page = new DonatePage(rules, organization.Value);

        var request = rules.Validate(input, out var errors);
        if (request is null)
        {
            metrics.Attempt(CheckoutMetrics.Invalid);
            logs.CreateLogger(typeof(DonateForm)).LogInformation("Donate form rejected: {Fields}", string.Join(",", errors.Keys));
            return page.Render(state with { Errors = errors }, StatusCodes.Status400BadRequest);
        }
        var outcome = await checkout.RunAsync(request, Blank(form["nonce"]), http);
        return outcome.Failure is { } failure
            ? WithRetryAfter(http, failure, page.Render(state with { Message = failure.Detail }, failure.Status))
            : new SeeOther(outcome.Url!);
    }

    /// <summary>A failure before the handler ran (the rate limiter): the page for the form, problem details for the API.</summary>
    public static IResult FailureFor(HttpContext http, CheckoutFailure failure)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || http.Request.Path != "/donate") return failure.ToProblem(http);
        var services = http.RequestServices;
        var rules = services.GetRequiredService<DonationRules>();
        var page = new DonatePage(rules, services.GetRequiredService<IOptions<OrganizationOptions>>().Value);
        var presets = Presets(rules, rules.Options.DefaultCurrency);
        var state = new DonateFormState(rules.Options.DefaultCurrency, Frequencies.OneTime, presets.FirstOrDefault(), null, false, null, null, null)
            { Message = failure.Detail };
        return WithRetryAfter(http, failure, page.Render(state, failure.Status));
    }

    private static IResult WithRetryAfter(HttpContext http, CheckoutFailure failure, IResult page)
    {
        failure.SetRetryAfter(http);
        return page;
    }

    private static List<string> Presets(DonationRules rules, string currency) =>
        rules.Options.PresetAmounts.Select(p => Money.FormatPlain(Money.ToMinor(p, currency), currency)).ToList();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    private static string? First(string? a, string? b) => Blank(a) ?? Blank(b);
    private static bool IsTicked(string? value) => value is "true" or "on" or "1";

    /// <summary>303 See Other: the browser follows with a GET, which is what Checkout's URL expects.</summary>
    private sealed class SeeOther(string url) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
