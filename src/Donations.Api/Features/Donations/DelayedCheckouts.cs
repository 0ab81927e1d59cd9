using Donations.Data;
using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// When donors completed Checkout with a bank debit, kept until the debit settles or fails, so the
/// gift is dated when the donor gave rather than days later (a debit made on 30 December stays in
/// that year). Changes are saved with the event that makes them.
/// </summary>
public sealed class DelayedCheckouts(DonationsDbContext db)
{
    public async Task RememberAsync(string sessionId, DateTime completedAt, CancellationToken ct)
    {
        if (await db.DelayedCheckouts.FindAsync([sessionId], ct) is { } known)
            known.CompletedAt = completedAt < known.CompletedAt ? completedAt : known.CompletedAt;
        else
            db.DelayedCheckouts.Add(new DelayedCheckout { CheckoutSessionId = sessionId, CompletedAt = completedAt });
    }

    /// <summary>When the donor completed the session, if its unpaid completion was seen; forgets it.</summary>
    public async Task<DateTime?> TakeAsync(string sessionId, CancellationToken ct)
    {
        if (await db.DelayedCheckouts.FindAsync([sessionId], ct) is not { } known) return null;
        db.DelayedCheckouts.Remove(known);
        return known.CompletedAt;
    }
}
