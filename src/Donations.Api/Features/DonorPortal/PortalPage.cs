using Donations.Api.Infrastructure.Web;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The frame of every donor portal page: the organisation's name and the page's heading around
/// plain server-rendered HTML. Head and security headers come from <see cref="HtmlShell"/>.
/// </summary>
internal static class PortalPage
{
    // No form-action: browsers apply it to the redirect after a post too, and the billing
    // portal button is a post answered by a redirect to Stripe. No referrer: the address of
    // the page a sign-in link opens must not travel on.
    private static readonly PageKind Kind = new()
    {
        ReferrerPolicy = "no-referrer",
        NoIndex = true,
        Css = """
            body { font: 1rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 48rem; padding: 1rem; color: #1a1a1a; background: #fff; }
            header { border-bottom: 1px solid #ccc; margin-bottom: 1.5rem; }
            header p { font-weight: 600; margin: .5rem 0; }
            table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
            caption { text-align: left; font-weight: 600; padding: .3rem 0; }
            th, td { border-bottom: 1px solid #ddd; padding: .4rem .5rem; text-align: left; vertical-align: top; }
            th.amount, td.amount { text-align: right; font-variant-numeric: tabular-nums; }
            label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
            input[type=email] { font: inherit; padding: .5rem; width: 100%; max-width: 24rem; box-sizing: border-box; border: 1px solid #555; }
            button { font: inherit; margin-top: 1rem; padding: .5rem 1rem; border: 1px solid #1a4d8f; background: #1a4d8f; color: #fff; cursor: pointer; }
            button.secondary { background: #fff; color: #1a4d8f; }
            :focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
            .notice { border-left: 4px solid #1a4d8f; padding: .5rem 1rem; background: #f1f5fb; }
            .error { border-left-color: #a00; background: #fbf1f1; }
            """,
    };

    public static IResult Render(HttpContext http, string organization, string title, string main, int status = StatusCodes.Status200OK) =>
        HtmlShell.Render(http, Kind, organization, title, $"""
            <header><p>{E(organization)}</p></header>
            <main>
            <h1>{E(title)}</h1>
            {main}
            </main>
            """, status);

    /// <summary>The "email me a sign-in link" form, shown on the start page and wherever a link has failed.</summary>
    public static string EmailForm(HttpContext http, string? email = null) => $"""
        <form method="post" action="/manage">
          {AntiforgeryField(http)}
          <label for="email">Email address</label>
          <input id="email" name="email" type="email" autocomplete="email" required maxlength="320" value="{E(email)}">
          <button type="submit">Email me a sign-in link</button>
        </form>
        """;
}
