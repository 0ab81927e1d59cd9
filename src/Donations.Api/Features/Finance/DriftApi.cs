using System.Security.Claims;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// The drift report over HTTP: <c>GET /api/finance/drift.csv</c> (staff: the last finished report),
/// <c>POST /api/finance/drift/run</c> (Admin: run it now, as a job) and
/// <c>POST /api/finance/drift/{item}/replay</c> (Admin: ingest a missing gift).
/// </summary>
internal static class DriftApi
{
    public static readonly string[] Columns = ["kind", "stripe_object", "donation_id", "detail"];

    public static void Map(RouteGroupBuilder finance, RouteGroupBuilder admin)
    {
        finance.MapGet("/drift.csv", Export);
        admin.MapPost("/drift/run", Run);
        admin.MapPost("/drift/{item:long}/replay", ReplayAsync);
    }

    private static CsvResult Export(DonationsDbContext db)
    {
        var last = db.DriftReports.Where(r => r.FinishedAt != null).OrderByDescending(r => r.Id).Select(r => (long?)r.Id).Take(1);
        var rows = db.DriftItems.AsNoTracking().Where(i => i.ReportId == last.FirstOrDefault())
            .OrderBy(i => i.Id).Select(i => new { i.Kind, i.StripeObject, i.DonationId, i.Detail }).AsAsyncEnumerable();
        return new CsvResult("drift.csv", Columns, async (csv, ct) =>
        {
            await foreach (var i in rows.WithCancellation(ct))
            {
                csv.Value(i.Kind).Text(i.StripeObject).Value(i.DonationId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").Text(i.Detail);
                await csv.EndRowAsync();
            }
        });
    }

    private static Accepted<RunStarted> Run(ClaimsPrincipal user, IBackgroundJobClient jobs)
    {
        var who = user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name;
        var job = jobs.Enqueue<RunDriftReport>(JobQueues.Default, j => j.RunAsync(who));
        return TypedResults.Accepted("/api/finance/drift.csv", new RunStarted(job));
    }

    public sealed record RunStarted(string JobId);
    public sealed record Replayed(string EventId);

    private static async Task<Results<Accepted<Replayed>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> ReplayAsync(
        long item, ReplayMissingGift replay, CancellationToken ct)
    {
        var outcome = await replay.RunAsync(item, ct);
        if (outcome.EventId is { } eventId) return TypedResults.Accepted((string?)null, new Replayed(eventId));
        var problem = new ProblemDetails { Title = "Cannot replay this drift item", Detail = outcome.Problem };
        if (outcome.NotFound)
        {
            problem.Status = StatusCodes.Status404NotFound;
            return TypedResults.NotFound(problem);
        }
        problem.Status = StatusCodes.Status409Conflict;
        return TypedResults.Conflict(problem);
    }
}
