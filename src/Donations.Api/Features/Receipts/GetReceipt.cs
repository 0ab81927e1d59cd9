using Donations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>Staff look up one receipt: where it stands, and why the mail server refused it if it did.</summary>
public static class GetReceipt
{
    public sealed record Response(
        string Number, string Kind, string Status, long DonationId, string? Replaces, long Amount, string Currency,
        long DeductibleAmount, DateTime IssuedAt, DateTime? SentAt, DateTime? VoidedAt, int Attempts, string? LastError);

    public static async Task<Results<Ok<Response>, ProblemHttpResult>> HandleAsync(string number, DonationsDbContext db, CancellationToken ct)
    {
        var receipt = await db.Receipts.AsNoTracking()
            .Where(r => r.Number == number)
            .Select(r => new Response(r.Number, r.Kind.ToString(), r.Status.ToString(), r.DonationId,
                db.Receipts.Where(o => o.Id == r.ReplacesReceiptId).Select(o => o.Number).FirstOrDefault(),
                r.Amount, r.Currency, r.DeductibleAmount, r.IssuedAt, r.SentAt, r.VoidedAt, r.Attempts, r.LastError))
            .SingleOrDefaultAsync(ct);
        return receipt is null ? NoSuchReceipt(number) : TypedResults.Ok(receipt);
    }

    public static ProblemHttpResult NoSuchReceipt(string number) => TypedResults.Problem(
        title: "No such receipt",
        detail: $"There is no receipt numbered '{number}'. Receipt numbers look like 2026-000123.",
        statusCode: StatusCodes.Status404NotFound);
}
