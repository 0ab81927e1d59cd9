using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Donations;

/// <summary>Who a Stripe object says paid: email, name and billing address as the donor gave them, and the Stripe customer.</summary>
public sealed record DonorIdentity(string? Email, string? Name, string? StripeCustomerId, string? Address = null, string? Country = null)
{
    /// <summary>One line, as documents print it: "1 Main St, Apt 2, Springfield, IL 62701, US"; null when Stripe has none.</summary>
    public static string? FormatAddress(Stripe.Address? a)
    {
        if (a is null) return null;
        var place = string.Join(" ", new[] { a.State, a.PostalCode }.Where(p => !string.IsNullOrWhiteSpace(p)));
        var parts = new[] { a.Line1, a.Line2, a.City, place, a.Country }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()).ToList();
        // A country alone (what Checkout collects for tax by default) is no postal address.
        return parts.Count > 1 && !string.IsNullOrWhiteSpace(a.Line1) ? string.Join(", ", parts) : null;
    }
}

/// <summary>Finds or creates donors by normalised email, falling back to the Stripe customer.</summary>
public sealed class DonorDirectory(DonationsDbContext db, TimeProvider time)
{
    /// <summary>
    /// The donor, tracked and possibly new (unsaved); null when neither email nor a known customer
    /// identifies one. A payment made (<paramref name="madeAt"/>) before its donor was erased belongs
    /// to the erased record, found by the old address's hash: a late event must not found a new record
    /// under the address the donor asked us to forget. A payment made afterwards is a new gift.
    /// </summary>
    public async Task<Donor?> FindOrAddAsync(DonorIdentity who, DateTime madeAt, CancellationToken ct)
    {
        var email = string.IsNullOrWhiteSpace(who.Email) ? null : Donor.NormalizeEmail(who.Email);
        var customer = who.StripeCustomerId;
        var donor = email is null ? null : db.Donors.Tracked().FirstOrDefault(d => d.Email == email);
        var trackedCustomer = customer is null ? null : db.Donors.Tracked().FirstOrDefault(d => d.StripeCustomerId == customer);
        if (donor is null && (email is not null || customer is not null))
        {
            // Every way the payment can name its donor in one round trip, then the same order of
            // preference as asking one by one: the address, the customer's first record, the newest
            // record erased after the payment was made.
            var hash = email is null ? null : Donor.HashErasedEmail(email);
            var candidates = await Candidates.For(db)(db, email, customer, hash, madeAt).ToListAsync(ct);
            donor = candidates.FirstOrDefault(d => email is not null && d.Email == email)
                    ?? trackedCustomer
                    ?? candidates.Where(d => customer is not null && d.StripeCustomerId == customer).MinBy(d => d.Id)
                    ?? candidates.Where(d => hash is not null && d.ErasedEmailHash == hash && d.ErasedAt > madeAt).MaxBy(d => d.Id);
        }
        if (donor is null)
        {
            if (email is null) return null;
            // The payer whose payment founds the record is its customer; see Complete.
            donor = new Donor { Email = email, StripeCustomerId = who.StripeCustomerId, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Donors.Add(donor);
        }
        await CompleteAsync(donor, who, madeAt, ct);
        return donor;
    }

    /// <summary>
    /// Adds what an event knows and the donor record lacks; never overwrites. Never links a Stripe
    /// customer to an existing record: the address was typed at Checkout, unverified, so another
    /// payer's customer under the same address stays apart (its subscription keeps its own
    /// customer) instead of becoming the customer whose billing portal the record opens. Nothing
    /// is added to an erased donor.
    /// </summary>
    public async Task CompleteAsync(long donorId, DonorIdentity who, DateTime madeAt, CancellationToken ct)
    {
        if (await db.Donors.FindAsync([donorId], ct) is { } donor) await CompleteAsync(donor, who, madeAt, ct);
    }

    /// <summary>
    /// The country is the exception: a donor who moves pays from a new one, so the country of their
    /// newest payment (<paramref name="madeAt"/>, whatever order the events come in) replaces it.
    /// </summary>
    private async Task CompleteAsync(Donor donor, DonorIdentity who, DateTime madeAt, CancellationToken ct)
    {
        // An erased donor's events keep the books, never the person: nothing is filled back in.
        if (donor.ErasedAt is not null) return;
        if (string.IsNullOrWhiteSpace(donor.Name) && !string.IsNullOrWhiteSpace(who.Name)) donor.Name = Trim(who.Name, 200);
        if (string.IsNullOrWhiteSpace(donor.Address) && !string.IsNullOrWhiteSpace(who.Address)) donor.Address = Trim(who.Address, 500);
        if (who.Country?.Trim() is { Length: 2 } given && given.All(char.IsAsciiLetter) && given.ToUpperInvariant() is var country
            && donor.Country != country
            && (donor.Country is null || donor.Id == 0
                || !(db.Donations.Tracked().Any(d => (d.Donor == donor || d.DonorId == donor.Id) && d.ReceivedAt > madeAt)
                     || await db.Donations.AnyAsync(d => d.DonorId == donor.Id && d.ReceivedAt > madeAt, ct))))
            donor.Country = country;
    }

    /// <summary>
    /// Donors under the address, of the customer, or erased after <paramref name="madeAt"/> with the
    /// address's hash: one SELECT per column, joined by UNION ALL, each planned as a lookup on its
    /// own index. One SELECT with the three ORed, prepared (Npgsql does) while the table was
    /// nearly empty, was planned as a scan of the whole table and kept that plan as the table
    /// grew: every event of a new database's first burst read every donor
    /// (<c>LookupsUnderBurstTests</c>). A table analyzed while it filled a page or two can still
    /// get a scan per column until autovacuum analyzes it again (within a minute). Compiled once
    /// per model: every gift asks it, and building and binding the LINQ each time cost more CPU
    /// than the database spent on it.
    /// </summary>
    private static readonly CompiledQueries<Func<DonationsDbContext, string?, string?, string?, DateTime, IAsyncEnumerable<Donor>>> Candidates =
        new(() => EF.CompileAsyncQuery((DonationsDbContext db, string? email, string? customer, string? hash, DateTime madeAt) =>
            db.Donors.Where(d => email != null && d.Email == email)
                .Concat(db.Donors.Where(d => customer != null && d.StripeCustomerId == customer))
                .Concat(db.Donors.Where(d => hash != null && d.ErasedEmailHash == hash && d.ErasedAt > madeAt))));

    /// <summary>The donor already linked to a Stripe customer, if any.</summary>
    public async Task<Donor?> FindByCustomerAsync(string? customerId, CancellationToken ct) =>
        customerId is null ? null
            : db.Donors.Tracked().FirstOrDefault(d => d.StripeCustomerId == customerId)
              ?? await db.Donors.Where(d => d.StripeCustomerId == customerId).OrderBy(d => d.Id).FirstOrDefaultAsync(ct);

    private static string Trim(string value, int max) => value.Trim() is var t && t.Length > max ? t[..max] : t;
}
