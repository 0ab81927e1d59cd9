using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// Erases a donor on request, keeping what the tax records need. At Stripe first
/// (<see cref="ClearStripeCustomers"/>), so that Stripe being unreachable changes nothing here and
/// the request can simply be made again. Then, in one transaction: the donor's name and email
/// become a pseudonym (the old address is kept only as a hash, so late events about their earlier
/// payments find the pseudonym), the address is dropped, the stored event payloads that name the
/// donor are scrubbed, sign-in and card links are revoked (portal sessions end too: they are
/// refused for an erased donor), and the receipt and statement PDFs, which print the name, are
/// dropped. Then the pickup folder's messages to them (<see cref="PickupOutbox"/>). Gifts, receipt
/// numbers and amounts stay for <c>Privacy:RetentionYears</c> after the last gift;
/// <see cref="PurgeErasedDonors"/> removes them afterwards. Mail to the pseudonym goes nowhere
/// (<c>UndeliverableAddresses</c>). The log says who was erased by id, never by name.
/// </summary>
public sealed class DonorErasure(
    DonationsDbContext db, EventPayloadScrub scrub, ClearStripeCustomers stripe, PickupOutbox outbox, TimeProvider clock,
    IOptions<PrivacyOptions> privacy, ILogger<DonorErasure> log)
{
    public enum Outcome { Erased, NotFound, AlreadyErased, MonthlyGiftGoing, StripeUnavailable }

    public sealed record Result(Outcome Outcome, long? DonorId = null, DateTime? KeptUntil = null);

    public const string PseudonymDomain = "erased.invalid";

    public static string PseudonymEmail(long donorId) => $"donor-{donorId}@{PseudonymDomain}";
    public static string PseudonymName(long donorId) => $"Erased donor {donorId}";

    public async Task<Result> EraseAsync(string email, string requestedBy, CancellationToken ct)
    {
        var normalized = Donor.NormalizeEmail(email);
        var donor = await db.Donors.SingleOrDefaultAsync(d => d.Email == normalized, ct);
        if (donor is null) return new Result(Outcome.NotFound);
        if (donor.ErasedAt is not null) return new Result(Outcome.AlreadyErased, donor.Id);
        // A gift that is still being collected would keep bringing the donor's details back.
        if (await db.Memberships.AnyAsync(m => m.DonorId == donor.Id && MembershipLapses.Current.Contains(m.Status), ct))
            return new Result(Outcome.MonthlyGiftGoing, donor.Id);

        var customers = await db.Memberships.Where(m => m.DonorId == donor.Id && m.StripeCustomerId != null)
            .Select(m => m.StripeCustomerId!).ToListAsync(ct);
        if (donor.StripeCustomerId is { } own) customers.Add(own);
        customers = customers.Distinct().ToList();
        if (!await stripe.ClearAsync(donor.Id, customers, ct)) return new Result(Outcome.StripeUnavailable, donor.Id);

        var (oldEmail, oldName) = (donor.Email, donor.Name);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        donor.Email = PseudonymEmail(donor.Id);
        donor.Name = PseudonymName(donor.Id);
        donor.Address = null;
        donor.Country = null;
        donor.ErasedAt = now;
        donor.ErasedEmailHash = Donor.HashErasedEmail(oldEmail);
        await db.SaveChangesAsync(ct);
        var events = await scrub.ScrubAsync(donor.Id, oldEmail, oldName, ct);
        await db.DonorSignInTokens.Where(t => t.DonorId == donor.Id).ExecuteDeleteAsync(ct);
        // A mail server's refusal usually quotes the address it refused.
        await db.Receipts.Where(r => r.Donation!.DonorId == donor.Id && r.LastError != null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LastError, (string?)null), ct);
        await db.Statements.Where(st => st.DonorId == donor.Id && st.LastError != null)
            .ExecuteUpdateAsync(u => u.SetProperty(st => st.LastError, (string?)null), ct);
        await db.Notifications.Where(n => n.DonorId == donor.Id && n.LastError != null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.LastError, (string?)null), ct);
        var documents = await db.ReceiptDocuments
            .Where(doc => db.Receipts.Any(r => r.Id == doc.ReceiptId && r.Donation!.DonorId == donor.Id))
            .ExecuteDeleteAsync(ct);
        // Statements as issued print the name and address too.
        documents += await db.StatementDocuments.Where(doc => doc.Statement!.DonorId == donor.Id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        var mails = await outbox.DeleteMailToAsync(oldEmail, ct);

        var lastGift = await db.Donations.Where(d => d.DonorId == donor.Id).MaxAsync(d => (DateTime?)d.ReceivedAt, ct);
        var keptUntil = (lastGift ?? now).AddYears(privacy.Value.RetentionYears);
        log.LogWarning("Donor {DonorId} erased at the request of {RequestedBy}: {Customers} Stripe customers cleared, {Events} stored events scrubbed, "
            + "{Documents} receipt and statement PDFs dropped, {Mails} messages deleted from the pickup folder; gifts and receipt numbers kept until {KeptUntil:yyyy-MM-dd}",
            donor.Id, requestedBy, customers.Count, events, documents, mails, keptUntil);
        return new Result(Outcome.Erased, donor.Id, keptUntil);
    }
}
