using Donations.Api.Infrastructure.Web;

namespace Donations.Api.Features.Staff;

/// <summary>The look of every server-rendered staff page; head and security headers come from <see cref="HtmlShell"/>.</summary>
internal static class StaffPage
{
    private static readonly PageKind Kind = new()
    {
        ReferrerPolicy = "same-origin",
        FormsPostToThisSiteOnly = true,
        NoIndex = true,
        Css = """
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
            table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
            th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            .error { color: #a00; }
            header { display: flex; justify-content: space-between; align-items: center; }
            label { display: block; margin: .7rem 0 .2rem; }
            """,
    };

    public static IResult Render(HttpContext http, string organization, string title, string body, int status = StatusCodes.Status200OK) =>
        HtmlShell.Render(http, Kind, organization, title, body, status);
}
