using System.Globalization;
using System.Security.Claims;
using System.Text;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Features.Staff.StaffPage;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Staff;

/// <summary>
/// GET /staff/events: Stripe events that did not become anything — Failed ones (with their error,
/// and for Admin a Retry button) and Ignored ones with the reason (a shop sale, a subscription
/// created elsewhere: "not created by the donate page"). POST /staff/events/{id}/retry hands a
/// Failed event back to processing.
/// </summary>
internal static class StripeEventsPage
{
    public const string Path = "/staff/events";
    private const int Shown = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ShowAsync).RequireAuthorization(StaffPolicies.Finance);
        app.MapPost(Path + "/{id}/retry", RetryAsync).RequireAuthorization(StaffPolicies.Admin);
    }

    private static async Task<IResult> ShowAsync(HttpContext http, DonationsDbContext db, IOptions<OrganizationOptions> org)
    {
        var ct = http.RequestAborted;
        var isAdmin = http.User.IsInRole(StaffRoles.Admin);
        var failed = await ListAsync(db, StripeEventStatus.Failed, ct);
        var ignored = await ListAsync(db, StripeEventStatus.Ignored, ct);
        var zone = org.Value.GetTimeZone();

        string Rows(List<StripeEvent> events, bool retry)
        {
            var rows = new StringBuilder();
            foreach (var e in events)
            {
                var button = retry && isAdmin
                    ? $"""<form method="post" action="{Path}/{Uri.EscapeDataString(e.Id)}/retry">{AntiforgeryField(http)}<button type="submit">Retry</button></form>"""
                    : "";
                rows.Append(CultureInfo.InvariantCulture, $"""
                    <tr data-event="{E(e.Id)}"><td>{E(TimeZoneInfo.ConvertTimeFromUtc(e.ReceivedAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))}</td>
                    <td>{E(e.Id)}</td><td>{E(e.Type)}</td><td>{E(e.Source)}</td><td class="reason">{E(e.Error)}</td><td>{button}</td></tr>
                    """);
            }
            return rows.ToString();
        }

        const string head = "<thead><tr><th>Received</th><th>Event</th><th>Type</th><th>Source</th><th>Reason</th><th></th></tr></thead>";
        return Render(http, org.Value.Name, "Stripe events", $"""
            <h1>Stripe events that need a look</h1>
            <p><a href="{StaffAuthentication.HomePath}">Staff home</a></p>
            <h2>Failed</h2>
            <p><small>Waiting events retry by themselves once what they wait for arrives; retry the others after fixing their cause.</small></p>
            <table id="failed">{head}<tbody>{Rows(failed, retry: true)}</tbody></table>
            <h2>Ignored</h2>
            <p><small>Payments on the Stripe account that are not gifts, and events nothing here acts on.</small></p>
            <table id="ignored">{head}<tbody>{Rows(ignored, retry: false)}</tbody></table>
            """);
    }

    private static Task<List<StripeEvent>> ListAsync(DonationsDbContext db, StripeEventStatus status, CancellationToken ct) =>
        // The status as a literal: each list reads its own partial index (DonationsDbContext).
        db.StripeEvents.AsNoTracking().Where(e => e.Status == EF.Constant(status))
            .OrderByDescending(e => e.ReceivedAt).Take(Shown).ToListAsync(ct);

    private static async Task<IResult> RetryAsync(string id, HttpContext http, IAntiforgery antiforgery, RetryStripeEvent retry)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form expired",
                detail: "The page has expired. Reload the Stripe events page and retry again.");
        var outcome = await retry.RunAsync(id, http.User.FindFirstValue(ClaimTypes.NameIdentifier), http.RequestAborted);
        return outcome switch
        {
            RetryStripeEvent.Outcome.Retried => SignIn.SeeOther(Path),
            RetryStripeEvent.Outcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such event",
                detail: $"There is no Stripe event {id} in the inbox."),
            RetryStripeEvent.Outcome.NotFailed => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not failed",
                detail: $"Stripe event {id} has not failed (it is processed, ignored or already on its way); there is nothing to retry."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Stripe could not be asked",
                detail: $"Stripe event {id} is of another API version and its object could not be fetched from Stripe at " +
                        $"{StripeApiVersion.Pinned}. Try again in a moment, or resend the event from an endive webhook endpoint."),
        };
    }
}
