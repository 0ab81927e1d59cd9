using System.Security.Claims;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// <c>GET|POST /staff/donors/erase</c> (Admin): the staff side of a privacy request, the same
/// erasure as <c>donors erase &lt;email&gt;</c>. The page never repeats the address it was given.
/// </summary>
public static class EraseDonorPage
{
    public const string Path = "/staff/donors/erase";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Show).RequireAuthorization(StaffPolicies.Admin);
        app.MapPost(Path, SubmitAsync).RequireAuthorization(StaffPolicies.Admin);
    }

    private static IResult Show(HttpContext http, IOptions<OrganizationOptions> org) =>
        Page(http, org.Value.Name, "");

    private static async Task<IResult> SubmitAsync(HttpContext http, IAntiforgery antiforgery, DonorErasure erasure, IOptions<OrganizationOptions> org)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form expired",
                detail: "The page has expired. Reload the erase page and submit again.");
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var email = form["email"].ToString().Trim();
        if (!email.Contains('@') || form["confirm"] != "yes")
            return Page(http, org.Value.Name, "<p class=\"error\" role=\"alert\">Enter the donor's email address and tick the box to confirm.</p>",
                StatusCodes.Status400BadRequest);
        var staffId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var result = await erasure.EraseAsync(email, $"staff user {staffId}", http.RequestAborted);
        var (message, code) = DonorsCommand.Describe(result);
        return Page(http, org.Value.Name, $"<p role=\"status\"{(code == 0 ? "" : " class=\"error\"")}>{E(message)}</p>",
            result.Outcome == DonorErasure.Outcome.Erased || result.Outcome == DonorErasure.Outcome.AlreadyErased ? StatusCodes.Status200OK
            : result.Outcome == DonorErasure.Outcome.NotFound ? StatusCodes.Status404NotFound
            : result.Outcome == DonorErasure.Outcome.StripeUnavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status409Conflict);
    }

    private static IResult Page(HttpContext http, string organization, string notice, int status = StatusCodes.Status200OK) =>
        StaffPage.Render(http, organization, "Erase a donor", $"""
            <h1>Erase a donor</h1>
            {notice}
            <p>For a donor's request to be forgotten. Their name and email are replaced by a pseudonym here and
            cleared at Stripe, their sign-in links stop working, and no email reaches them again. Their gifts,
            receipt numbers and amounts stay for the tax records until the retention period ends, then are removed.
            This cannot be undone.</p>
            <form method="post" action="{Path}">
              {AntiforgeryField(http)}
              <label for="email">Donor's email address</label>
              <input id="email" name="email" type="email" required maxlength="320" autocomplete="off">
              <label><input type="checkbox" name="confirm" value="yes" required> I have checked this is the donor who asked</label>
              <button type="submit">Erase this donor</button>
            </form>
            <p><a href="/staff">Back</a></p>
            """, status);
}
