using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Records each failed renewal of a membership, so the revenue page counts the members whose
/// payment failed in a month rather than Stripe's events: Stripe retries one invoice up to four
/// times, and the account's other products fail invoices too. A redelivered or replayed event
/// finds its row and adds none.
/// </summary>
public sealed class MembershipPaymentFailures(DonationsDbContext db) : IAfterCommit<RenewalFailed>
{
    public async Task AfterCommitAsync(IReadOnlyList<RenewalFailed> events, CancellationToken ct)
    {
        var added = false;
        foreach (var e in events.DistinctBy(e => (e.Membership.Id, e.InvoiceId, e.FailedAt)))
        {
            if (await db.MembershipPaymentFailures.AnyAsync(f => f.MembershipId == e.Membership.Id && f.StripeInvoiceId == e.InvoiceId && f.FailedAt == e.FailedAt, ct))
                continue;
            db.MembershipPaymentFailures.Add(new MembershipPaymentFailure { MembershipId = e.Membership.Id, StripeInvoiceId = e.InvoiceId, FailedAt = e.FailedAt });
            added = true;
        }
        if (added) await db.SaveChangesAsync(ct);
    }
}
