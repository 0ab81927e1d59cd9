using System.Linq.Expressions;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// The stored copies of Stripe's events (the inbox) hold what Stripe sent: the donor's email, name,
/// billing address and phone. For an erased donor, every payload that names one of their Stripe
/// objects (customers, sessions, payment intents, charges, invoices, subscriptions) or their old
/// email is rewritten: email and name fields take the pseudonym, address, shipping and phone fields
/// are emptied, and the old email and name (whole words only) are replaced wherever else they
/// stand. In an event found only by the old email, which may be another payer's, only the donor's
/// own email and the person fields beside it change. Amounts and ids
/// stay, so the books and a reprocessed event still add up. Run at erasure, and again for events
/// that arrive about the donor's Stripe objects afterwards (<see cref="ScrubLateEvents"/>).
/// </summary>
public sealed class EventPayloadScrub(DonationsDbContext db)
{
    private static readonly HashSet<string> EmailKeys = ["email", "customer_email", "receipt_email", "customer_email_address"];
    private static readonly HashSet<string> NameKeys = ["name", "customer_name"];
    // A dispute's evidence carries the buyer's addresses (plain text) and IP address.
    private static readonly HashSet<string> Removed = ["address", "shipping", "phone", "customer_address", "customer_shipping", "customer_phone",
        "billing_address", "shipping_address", "customer_purchase_ip"];

    public async Task<int> ScrubAsync(long donorId, string? oldEmail, string? oldName, CancellationToken ct)
    {
        var donor = await db.Donors.AsNoTracking().Where(d => d.Id == donorId)
            .Select(d => new { d.Email, d.Name, d.StripeCustomerId }).SingleAsync(ct);
        // Events naming one of the donor's Stripe objects are the donor's own; events found only
        // by the address may be another payer's too (a shared inbox's receipt, a guest Checkout
        // typed with it), so in those only what is the donor's is touched.
        var theirs = await StripeIdsAsync(donorId, donor.StripeCustomerId, ct);
        var candidates = await OwnEventIdsAsync(theirs, ct);
        var byEmail = new HashSet<string>();
        if (oldEmail is not null)
        {
            // As a whole JSON string: "ann@x.org" must not find "joann@x.org".
            var quoted = $"\"{oldEmail.ToLowerInvariant()}\"";
            byEmail.UnionWith(await db.StripeEvents.Where(e => e.Payload.ToLower().Contains(quoted)).Select(e => e.Id).ToListAsync(ct));
        }
        var found = await db.StripeEvents.Where(e => candidates.Contains(e.Id) || byEmail.Contains(e.Id)).ToListAsync(ct);
        // Found by a substring search: the donor's own only if it names one of their ids as a whole
        // value ("cus_Ann0001" is inside "cus_Ann00012", another payer's customer).
        var own = found.Where(e => candidates.Contains(e.Id) && ScrubLateEvents.NamedIds(e.Payload).Overlaps(theirs)).Select(e => e.Id).ToHashSet();
        var matching = found.Where(e => own.Contains(e.Id) || byEmail.Contains(e.Id)).ToList();
        foreach (var stored in matching)
            if (JsonNode.Parse(stored.Payload) is JsonObject root)
            {
                new Rewrite(oldEmail, oldName, donor.Email, donor.Name ?? "", Own: own.Contains(stored.Id)).Scrub(root);
                stored.Payload = root.ToJsonString();
            }
        await db.SaveChangesAsync(ct);
        return matching.Count;
    }

    /// <summary>
    /// Rewrites the given events as the donor's own: they were found by one of the donor's Stripe
    /// ids (see <see cref="ScrubLateEvents"/>), so every person in them is the donor.
    /// </summary>
    public Task<int> ScrubOwnEventsAsync(long donorId, IReadOnlyCollection<string> eventIds, CancellationToken ct) =>
        RewriteEventsAsync(donorId, oldEmail: null, own: true, eventIds, ct);

    /// <summary>
    /// Rewrites the given events, found by the donor's old <paramref name="oldEmail"/> alone: as at
    /// erasure for such events, only that email and the person fields beside it change.
    /// </summary>
    public Task<int> ScrubFoundByEmailAsync(long donorId, string oldEmail, IReadOnlyCollection<string> eventIds, CancellationToken ct) =>
        RewriteEventsAsync(donorId, oldEmail, own: false, eventIds, ct);

    private async Task<int> RewriteEventsAsync(long donorId, string? oldEmail, bool own, IReadOnlyCollection<string> eventIds, CancellationToken ct)
    {
        if (eventIds.Count == 0) return 0;
        var donor = await db.Donors.AsNoTracking().Where(d => d.Id == donorId).Select(d => new { d.Email, d.Name }).SingleAsync(ct);
        var rows = await db.StripeEvents.Where(e => eventIds.Contains(e.Id)).ToListAsync(ct);
        foreach (var stored in rows)
            if (JsonNode.Parse(stored.Payload) is JsonObject root)
            {
                new Rewrite(oldEmail, null, donor.Email, donor.Name ?? "", Own: own).Scrub(root);
                stored.Payload = root.ToJsonString();
            }
        await db.SaveChangesAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// The ids of the stored events that name one of <paramref name="stripeIds"/> (the donor's own
    /// Stripe objects, <see cref="StripeIdsAsync(long, CancellationToken)"/>) anywhere in their payload.
    /// </summary>
    public async Task<HashSet<string>> OwnEventIdsAsync(IEnumerable<string> stripeIds, CancellationToken ct)
    {
        var own = new HashSet<string>(StringComparer.Ordinal);
        // Searched for as substrings: a term too short could match inside anything. Each search reads
        // every payload, so the terms (a monthly donor of years has hundreds) go a batch per search.
        foreach (var batch in stripeIds.Where(s => s.Length >= 8).Chunk(TermsPerSearch))
            own.UnionWith(await db.StripeEvents.Where(NamesAny(batch)).Select(e => e.Id).ToListAsync(ct));
        return own;
    }

    private const int TermsPerSearch = 50;

    /// <summary><c>e =&gt; e.Payload.Contains(t1) || e.Payload.Contains(t2) || ...</c>, each term a parameter.</summary>
    private static Expression<Func<StripeEvent, bool>> NamesAny(IEnumerable<string> terms)
    {
        var e = Expression.Parameter(typeof(StripeEvent), "e");
        var payload = Expression.Property(e, nameof(StripeEvent.Payload));
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        var any = terms.Select(t => (Expression)Expression.Call(payload, contains, Parameter(t))).Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<StripeEvent, bool>>(any, e);
    }

    // A captured value, so EF Core sends it as a parameter rather than inlining it into the SQL.
    private static MemberExpression Parameter(string value) => Expression.Property(Expression.Constant(new Term(value)), nameof(Term.Value));

    private sealed record Term(string Value);

    /// <summary>The ids of every Stripe object the donor's records keep: customer, gifts' payments and monthly gifts.</summary>
    public async Task<List<string>> StripeIdsAsync(long donorId, CancellationToken ct)
    {
        var customer = await db.Donors.AsNoTracking().Where(d => d.Id == donorId).Select(d => d.StripeCustomerId).SingleAsync(ct);
        return await StripeIdsAsync(donorId, customer, ct);
    }

    private async Task<List<string>> StripeIdsAsync(long donorId, string? customer, CancellationToken ct)
    {
        var gifts = await db.Donations.AsNoTracking().Where(d => d.DonorId == donorId)
            .Select(d => new[] { d.StripeCheckoutSessionId, d.StripePaymentIntentId, d.StripeChargeId, d.StripeInvoiceId, d.StripeSubscriptionId })
            .ToListAsync(ct);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.DonorId == donorId)
            .Select(m => new[] { m.StripeSubscriptionId, m.StripeCustomerId }).ToListAsync(ct);
        return gifts.Concat(memberships).SelectMany(x => x).Append(customer)
            .OfType<string>().Where(s => s.Length > 0).Distinct().ToList();
    }

    /// <param name="Own">The event is the donor's own: every person in it is the donor. Otherwise only
    /// the donor's own email, and the name beside it, are replaced.</param>
    private sealed class Rewrite(string? oldEmail, string? oldName, string pseudonymEmail, string pseudonymName, bool Own)
    {
        public void Scrub(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o.ToList())
                    {
                        if (value is null) continue;
                        if (Removed.Contains(key) && (Own || IsDonor(o))) o[key] = null;
                        else if (EmailKeys.Contains(key) && value is JsonValue && (Own || IsDonorsEmail(value))) o[key] = pseudonymEmail;
                        else if (NameKeys.Contains(key) && value is JsonValue && IsPerson(o) && (Own || IsDonor(o))) o[key] = pseudonymName;
                        else if (value is JsonValue v && v.TryGetValue<string>(out var text)) o[key] = Replace(text);
                        else Scrub(value);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                        if (a[i] is JsonValue v && v.TryGetValue<string>(out var text)) a[i] = Replace(text);
                        else Scrub(a[i]);
                    break;
            }
        }

        // A "name" beside an email (dispute evidence included), or on customer details, billing details or a customer, is a person's;
        // a product's or an account's name is not.
        private static bool IsPerson(JsonObject o) =>
            o.ContainsKey("email") || o.ContainsKey("customer_email") || o.ContainsKey("customer_email_address")
            || (string?)o["object"] == "customer";

        private bool IsDonorsEmail(JsonNode? value) =>
            oldEmail is not null && value is JsonValue v && v.TryGetValue<string>(out var text) && string.Equals(text, oldEmail, StringComparison.OrdinalIgnoreCase);

        /// <summary>An object holding the donor's own email (customer details, billing details, dispute evidence).</summary>
        private bool IsDonor(JsonObject o) => EmailKeys.Any(k => IsDonorsEmail(o[k]));

        // The name only as a whole word ("Ann" is not in "annual"); the address only where it is
        // whole too, as an email is bounded by characters no address may hold.
        private string Replace(string text)
        {
            if (!string.IsNullOrEmpty(oldEmail))
                text = Regex.Replace(text, $@"(?<![\w.+-]){Regex.Escape(oldEmail)}(?![\w.-])", pseudonymEmail, RegexOptions.IgnoreCase);
            return string.IsNullOrWhiteSpace(oldName) ? text
                : Regex.Replace(text, $@"\b{Regex.Escape(oldName.Trim())}\b", pseudonymName, RegexOptions.IgnoreCase);
        }
    }
}
