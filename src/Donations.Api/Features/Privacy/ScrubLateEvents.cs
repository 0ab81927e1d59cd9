using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// An event about an erased donor's gift can still arrive (a refund, a dispute), carrying what
/// Stripe keeps on the charge: the name and email typed at checkout. Once it is applied, its stored
/// copy is scrubbed like the ones that were there at erasure.
/// </summary>
public sealed class ScrubLateEvents(DonationsDbContext db, EventPayloadScrub scrub) : IAfterCommit<DonationChanged>
{
    public async Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct)
    {
        var donors = events.Select(e => e.Donation.DonorId).Distinct().ToList();
        var erased = await db.Donors.AsNoTracking().Where(d => donors.Contains(d.Id) && d.ErasedAt != null).Select(d => d.Id).ToListAsync(ct);
        foreach (var donorId in erased) await scrub.ScrubAsync(donorId, null, null, ct);
    }
}
