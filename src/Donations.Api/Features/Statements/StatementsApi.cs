using System.Security.Claims;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>Staff start a year-end run (Admin) and follow its progress (Finance).</summary>
public static class StatementsApi
{
    public sealed record RunResponse(
        long Id, int Year, bool Resend, string Status, string? RequestedBy, int DonorsTotal, int Sent, int Skipped, int Failed,
        DateTime StartedAt, DateTime? CompletedAt);

    public static async Task<Results<Accepted<RunResponse>, BadRequest<ProblemDetails>>> StartAsync(
        int year, bool? resend, ClaimsPrincipal user, StartStatementRun start, CancellationToken ct)
    {
        if (!start.IsValidYear(year))
            return TypedResults.BadRequest(new ProblemDetails
            {
                Title = "No such tax year",
                Detail = $"{year} is not a year statements can be sent for. {start.YearRule()}",
                Status = StatusCodes.Status400BadRequest,
            });
        var requestedBy = user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name;
        var run = await start.StartAsync(new StartStatementRun.Request(year, resend ?? false, requestedBy), ct);
        return TypedResults.Accepted($"/api/finance/statements/runs/{run.Id}", ToResponse(run));
    }

    /// <summary>The latest runs, newest first, for the staff page.</summary>
    public static async Task<Ok<List<RunResponse>>> ListRunsAsync(DonationsDbContext db, CancellationToken ct)
    {
        var runs = await db.StatementRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(20).ToListAsync(ct);
        return TypedResults.Ok(runs.Select(ToResponse).ToList());
    }

    public static async Task<Results<Ok<RunResponse>, NotFound<ProblemDetails>>> GetRunAsync(long id, DonationsDbContext db, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        return run is null
            ? TypedResults.NotFound(new ProblemDetails
            {
                Title = "No such statement run",
                Detail = $"There is no statement run {id}. Start one with POST /api/finance/statements/{{year}}.",
                Status = StatusCodes.Status404NotFound,
            })
            : TypedResults.Ok(ToResponse(run));
    }

    private static RunResponse ToResponse(StatementRun r) => new(
        r.Id, r.Year, r.Resend, r.Status.ToString(), r.RequestedBy, r.DonorsTotal, r.Sent, r.Skipped, r.Failed, r.StartedAt, r.CompletedAt);
}
