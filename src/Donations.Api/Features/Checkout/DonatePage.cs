using System.Text;
using System.Text.Json;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Checkout;

/// <summary>What the donate form holds: defaults on first view, the reader's entries when re-shown.</summary>
public sealed record DonateFormState(
    string Currency, string Frequency, string? Preset, string? CustomAmount, bool CoverFee,
    string? Email, string? Campaign, string? Source)
{
    public UtmTags Utm { get; init; } = UtmTags.None;
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();
    /// <summary>A problem not tied to one field (Stripe unreachable, too many attempts).</summary>
    public string? Message { get; init; }
    public string? Error(string field) => Errors.TryGetValue(field, out var m) ? m[0] : null;
}

/// <summary>
/// Renders GET /donate. A plain HTML form that works without script; the script only shows the
/// exact fee and total as the reader chooses.
/// </summary>
public sealed class DonatePage(DonationRules rules, OrganizationOptions organization)
{
    private static readonly string LockIcon =
        "<svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\" focusable=\"false\"><path fill=\"currentColor\" " +
        "d=\"M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z\"/></svg>";

    public HtmlPage Render(DonateFormState form, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder()
            .Append($"<h1>Support {E(organization.Name)}</h1>")
            .Append("<p class=\"lede\">Reader donations pay for our independent reporting. Give once, or become a monthly supporter.</p>")
            .Append(Alert(form))
            .Append("<form id=\"donate-form\" method=\"post\" action=\"/donate\">")
            .Append(Frequency(form))
            .Append(Amount(form))
            .Append(Fee(form))
            .Append(Email(form))
            .Append(Hidden("campaign", form.Campaign)).Append(Hidden("source", form.Source))
            .Append(string.Concat(form.Utm.Named().Select(t => Hidden(t.Key, t.Value))))
            .Append(Hidden("nonce", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))))
            .Append($"<p class=\"summary\" id=\"summary\" aria-live=\"polite\">{E(Summary(form))}</p>")
            .Append("<button type=\"submit\" class=\"donate\">Continue to secure payment</button>")
            .Append($"<p class=\"secure\">{LockIcon}<span>Payment is handled securely by Stripe. We never see your card number.</span></p>")
            .Append("</form>")
            .Append($"<script type=\"application/json\" id=\"donate-config\">{Config()}</script>");
        return new HtmlPage("Donate", organization, status).Add(html.ToString()).Script(DonatePageAssets.Script);
    }

    private static string Alert(DonateFormState form)
    {
        if (form.Message is not null)
            return $"<div class=\"alert\" role=\"alert\"><h2>Your donation has not started</h2><p>{E(form.Message)}</p></div>";
        if (form.Errors.Count == 0) return "";
        var items = string.Concat(form.Errors.Select(e => $"<li><a href=\"#{FieldId(e.Key)}\">{E(e.Value[0])}</a></li>"));
        return $"<div class=\"alert\" role=\"alert\"><h2>Please check your donation</h2><ul>{items}</ul></div>";
    }

    private string Frequency(DonateFormState form) =>
        $"<fieldset><legend>How often would you like to give?</legend><div class=\"choices {(rules.Options.OfferedFrequencies.Length == 3 ? "three" : "two")}\">"
        + string.Concat(rules.Options.OfferedFrequencies.Select((f, i) => Choice("frequency", f switch
            {
                Frequencies.Monthly => "freq-monthly",
                Frequencies.Annual => "freq-annual",
                _ => "freq-once",
            }, f, f switch
            {
                Frequencies.Monthly => "Monthly",
                Frequencies.Annual => "Yearly",
                _ => "One time",
            }, rules.Options.OfferedFrequencies.Contains(form.Frequency) ? form.Frequency == f : i == 0)))
        + "</div>" + ErrorText("frequency", form) + "</fieldset>";

    private string Amount(DonateFormState form)
    {
        var c = form.Currency;
        var symbol = E(Currencies.Symbol(c).Trim());
        var invalid = form.Error("amount") is not null;
        var sb = new StringBuilder("<fieldset><legend>Amount</legend><div class=\"choices amounts\">");
        foreach (var preset in rules.Options.PresetAmounts)
        {
            var value = Money.FormatPlain(Money.ToMinor(preset, c), c);
            sb.Append(Choice("amount", "amount-" + value.Replace('.', '-'), value,
                $"<span data-symbol>{symbol}</span>{E(value)}", form.CustomAmount is null && form.Preset == value, encodeLabel: false));
        }
        sb.Append("</div><div class=\"amount-row\"><div class=\"field\"><label for=\"custom-amount\">Other amount</label>")
            .Append($"<div class=\"money{(invalid ? " invalid" : "")}\"><span aria-hidden=\"true\" data-symbol>{symbol}</span>")
            .Append($"<input type=\"text\" id=\"custom-amount\" name=\"customAmount\" inputmode=\"decimal\" autocomplete=\"off\" value=\"{E(form.CustomAmount)}\"")
            .Append($" aria-describedby=\"amount-hint{(invalid ? " amount-error" : "")}\"{(invalid ? " aria-invalid=\"true\"" : "")}></div></div>")
            .Append(Currency(form)).Append("</div>")
            .Append($"<p class=\"hint\" id=\"amount-hint\">{E(Limits(c))}</p>")
            .Append(ErrorText("amount", form)).Append("</fieldset>");
        return sb.ToString();
    }

    private string Currency(DonateFormState form)
    {
        if (rules.Options.Currencies.Length == 1) return Hidden("currency", form.Currency);
        var options = string.Concat(rules.Options.Currencies.Select(code =>
            $"<option value=\"{E(code)}\"{(code == form.Currency ? " selected" : "")}>{E(code.ToUpperInvariant())}</option>"));
        return $"<div class=\"field\"><label for=\"currency\">Currency</label><select id=\"currency\" name=\"currency\">{options}</select></div>";
    }

    private string Fee(DonateFormState form)
    {
        var gift = Gift(form);
        var feeText = gift is { } g ? Money.Format(rules.Fee.For(g, form.Currency), form.Currency) : rules.Fee.Describe(form.Currency);
        return "<fieldset><legend class=\"label\">Processing fee</legend><div class=\"check\">"
            + $"<input type=\"checkbox\" id=\"cover-fee\" name=\"coverFee\" value=\"true\"{(form.CoverFee ? " checked" : "")} aria-describedby=\"fee-hint\">"
            + $"<label for=\"cover-fee\">Add <strong id=\"fee-amount\">{E(feeText)}</strong> to cover card processing fees, "
            + $"so all of my gift goes to {E(organization.Name)}.</label></div>"
            + $"<p class=\"hint\" id=\"fee-hint\">Card processing costs us {E(rules.Fee.Describe(form.Currency))} of each payment.</p></fieldset>";
    }

    private static string Email(DonateFormState form)
    {
        var invalid = form.Error("email") is not null;
        return "<div class=\"field\"><label for=\"email\">Email <span class=\"optional\">(optional)</span></label>"
            + $"<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" maxlength=\"254\" value=\"{E(form.Email)}\""
            + $" aria-describedby=\"email-hint{(invalid ? " email-error" : "")}\"{(invalid ? " aria-invalid=\"true\"" : "")}>"
            + "<p class=\"hint\" id=\"email-hint\">Your tax receipt goes here. Leave it blank and the payment page will ask.</p>"
            + ErrorText("email", form) + "</div>";
    }

    private string Summary(DonateFormState form)
    {
        if (Gift(form) is not { } gift) return Limits(form.Currency);
        var total = gift + (form.CoverFee ? rules.Fee.For(gift, form.Currency) : 0);
        return $"You will give {Money.Format(total, form.Currency)}{(form.Frequency switch { Frequencies.Monthly => " every month", Frequencies.Annual => " every year", _ => " once" })}.";
    }

    private long? Gift(DonateFormState form)
    {
        var major = Money.ParseMajor(form.CustomAmount ?? form.Preset, form.Currency);
        if (major is null) return null;
        var minor = major.Value * Currencies.Factor(form.Currency);
        return minor == decimal.Truncate(minor) && minor % Currencies.ChargeStep(form.Currency) == 0
               && minor >= rules.MinimumMinor(form.Currency) && minor <= rules.MaximumMinor(form.Currency)
            ? (long)minor : null;
    }

    private string Limits(string c) =>
        $"Any amount from {Money.Format(rules.MinimumMinor(c), c, compact: true)} to {Money.Format(rules.MaximumMinor(c), c, compact: true)}.";

    private string Config()
    {
        var o = rules.Options;
        return JsonSerializer.Serialize(new
        {
            @default = o.DefaultCurrency,
            pctNum = rules.Fee.PercentNumerator,
            pctDen = rules.Fee.PercentDenominator,
            currencies = o.Currencies.ToDictionary(c => c, c => new
            {
                factor = Currencies.Factor(c), exp = Currencies.Decimals(c), symbol = Currencies.Symbol(c), step = Currencies.ChargeStep(c),
                @fixed = rules.Fee.FixedMinor(c), min = rules.MinimumMinor(c), max = rules.MaximumMinor(c),
            }),
            describe = o.Currencies.ToDictionary(c => c, rules.Fee.Describe),
        });
    }

    private static string Choice(string name, string id, string value, string label, bool isChecked, bool encodeLabel = true) =>
        $"<div class=\"choice\"><input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{E(value)}\"{(isChecked ? " checked" : "")}>"
        + $"<label for=\"{id}\">{(encodeLabel ? E(label) : label)}</label></div>";

    private static string ErrorText(string field, DonateFormState form) =>
        form.Error(field) is { } message ? $"<p class=\"error\" id=\"{field}-error\">{E(message)}</p>" : "";

    private static string Hidden(string name, string? value) =>
        value is null ? "" : $"<input type=\"hidden\" name=\"{name}\" value=\"{E(value)}\">";

    private static string FieldId(string field) => field switch
    {
        "amount" => "custom-amount", "email" => "email", "currency" => "currency", _ => "freq-once",
    };
}
