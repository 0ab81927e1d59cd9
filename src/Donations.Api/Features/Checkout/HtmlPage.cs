using System.Text;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Web;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// The frame every reader-facing donation page shares: masthead, the page in a card, and a
/// footer saying who receives the gift. Head and security headers come from <see cref="HtmlShell"/>.
/// </summary>
public sealed class HtmlPage(string title, OrganizationOptions organization, int status = StatusCodes.Status200OK) : IResult
{
    // No form-action: the donate form's 303 goes to Stripe's Checkout host.
    private static readonly PageKind Kind = new() { Css = DonatePageAssets.Css, ReferrerPolicy = "strict-origin-when-cross-origin" };

    private readonly StringBuilder body = new();
    private string? script;

    public HtmlPage Add(string html) { body.Append(html); return this; }
    public HtmlPage Script(string js) { script = js; return this; }

    public Task ExecuteAsync(HttpContext http)
    {
        var org = organization;
        var html = new StringBuilder()
            .Append("<a class=\"skip\" href=\"#main\">Skip to content</a>")
            .Append($"<header class=\"masthead\"><a class=\"brand\" href=\"{E(org.Website)}\">{E(org.Name)}</a></header>")
            .Append("<main id=\"main\" class=\"card\">").Append(body).Append("</main>")
            .Append("<footer class=\"colophon\">")
            .Append($"<p>{E(org.LegalName)} is a 501(c)(3) nonprofit organization (EIN {E(org.TaxId)}). ")
            .Append("Gifts are tax-deductible to the extent allowed by law.</p>")
            .Append($"<p>{E(org.Address)} · <a href=\"{E(org.Website)}\">{E(WebsiteHost(org.Website))}</a> · ")
            .Append("<a href=\"/manage\">Manage your donations</a></p></footer>");
        return HtmlShell.Render(http, Kind, org.Name, title, html.ToString(), status, script).ExecuteAsync(http);
    }

    private static string WebsiteHost(string website) =>
        Uri.TryCreate(website, UriKind.Absolute, out var uri) ? uri.Host : website;
}
