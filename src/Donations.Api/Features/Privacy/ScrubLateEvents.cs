using System.Text.Json;
using System.Text.RegularExpressions;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// Events about an erased donor keep arriving after the erasure: a refund or dispute on a gift, the
/// subscription's last updates, a delayed payment that failed, types the service ignores. Each
/// carries what Stripe keeps (the name, email and address typed at checkout). Every event the inbox
/// applies, processed or ignored, is looked at once it is committed:
/// <list type="bullet">
/// <item>one naming a Stripe object of an erased donor (customer, payment intent, charge, invoice,
/// subscription; a Checkout event names its payment intent or subscription too) is scrubbed as the
/// donor's own;</item>
/// <item>one naming none but carrying an erased donor's old email (a guest's bank debit that failed,
/// which no gift holds) has that email and the person beside it scrubbed, provided its object was
/// made before the erasure (one made after is a new gift's, by a new donor).</item>
/// </list>
/// Inside a batch of events they are gathered and looked up together at its end. The lookup never
/// fails the job that applied the events: a process that dies, or a lookup that fails, leaves them
/// to <see cref="SweepAsync"/>, daily over the last <see cref="SweepWindow"/> of events, failed
/// ones included.
/// </summary>
public sealed partial class ScrubLateEvents(DonationsDbContext db, EventPayloadScrub scrub, AfterCommitBatch batch, TimeProvider clock,
    ILogger<ScrubLateEvents> log) : IAfterCommit<StripeEventApplied>
{
    public const string JobId = "privacy-scrub-late-events";
    /// <summary>Stripe retries a delivery for up to three days; a day more for the process that died.</summary>
    public static readonly TimeSpan SweepWindow = TimeSpan.FromDays(4);
    private const int Page = 500;
    private static readonly HashSet<string> EmailKeys = ["email", "customer_email", "receipt_email", "customer_email_address"];

    public Task AfterCommitAsync(IReadOnlyList<StripeEventApplied> events, CancellationToken ct) =>
        batch.GatherAsync(this, events, ScrubQuietlyAsync, ct);

    private async Task ScrubQuietlyAsync(IReadOnlyCollection<StripeEventApplied> events, CancellationToken ct)
    {
        try
        {
            await ScrubAsync(events, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Privacy: looking for events about erased donors failed; the daily sweep looks again");
        }
    }

    /// <summary>Scrubs those of <paramref name="events"/> that are about an erased donor; returns how many.</summary>
    public async Task<int> ScrubAsync(IReadOnlyCollection<StripeEventApplied> events, CancellationToken ct)
    {
        var read = events.DistinctBy(e => e.EventId).ToDictionary(e => e.EventId, e => Read(e.Payload));
        var ids = read.Values.SelectMany(x => x.Ids).Distinct().ToList();
        var scrubbed = 0;
        if (ids.Count > 0)
        {
            // Two round trips, each on indexes: the donors the events name (one SELECT per column,
            // a column tested for null first, or the SQL must also ask whether the list holds a
            // null, which no index lookup by the list answers), then which of them are erased by
            // primary key; almost always none.
            var named = await db.Donors.Where(d => d.StripeCustomerId != null && ids.Contains(d.StripeCustomerId)).Select(d => d.Id)
                .Union(db.Donations.Where(g => g.StripePaymentIntentId != null && ids.Contains(g.StripePaymentIntentId)).Select(g => g.DonorId))
                .Union(db.Donations.Where(g => g.StripeChargeId != null && ids.Contains(g.StripeChargeId)).Select(g => g.DonorId))
                .Union(db.Donations.Where(g => g.StripeInvoiceId != null && ids.Contains(g.StripeInvoiceId)).Select(g => g.DonorId))
                .Union(db.Donations.Where(g => g.StripeSubscriptionId != null && ids.Contains(g.StripeSubscriptionId)).Select(g => g.DonorId))
                .Union(db.Memberships.Where(m => ids.Contains(m.StripeSubscriptionId)).Select(m => m.DonorId))
                .ToListAsync(ct);
            var erased = named.Count == 0 ? []
                : await db.Donors.Where(d => d.ErasedAt != null && named.Contains(d.Id)).Select(d => d.Id).ToListAsync(ct);
            foreach (var donorId in erased)
            {
                var theirs = (await scrub.StripeIdsAsync(donorId, ct)).ToHashSet();
                var own = read.Where(e => e.Value.Ids.Overlaps(theirs)).Select(e => e.Key).ToList();
                scrubbed += await scrub.ScrubOwnEventsAsync(donorId, own, ct);
                foreach (var id in own) read.Remove(id);
            }
        }
        scrubbed += await ScrubByOldEmailAsync(read, ct);
        if (scrubbed > 0) log.LogInformation("Privacy: {Count} events about erased donors scrubbed after they arrived", scrubbed);
        return scrubbed;
    }

    /// <summary>Events that name no erased donor's object but carry an erased donor's old email.</summary>
    private async Task<int> ScrubByOldEmailAsync(Dictionary<string, Payload> read, CancellationToken ct)
    {
        var byHash = read.SelectMany(e => e.Value.Emails.Select(email => (Hash: Donor.HashErasedEmail(email), Email: email, Event: e.Key)))
            .GroupBy(x => x.Hash).ToDictionary(g => g.Key, g => g.ToList());
        if (byHash.Count == 0) return 0;
        var hashes = byHash.Keys.ToList();
        var erased = await db.Donors.AsNoTracking().Where(d => d.ErasedAt != null && d.ErasedEmailHash != null && hashes.Contains(d.ErasedEmailHash))
            .Select(d => new { d.Id, d.ErasedEmailHash, d.ErasedAt }).ToListAsync(ct);
        var scrubbed = 0;
        foreach (var donor in erased)
            foreach (var (_, email, eventId) in byHash[donor.ErasedEmailHash!])
            {
                // Made after the erasure: a new gift under the address, not the erased donor's.
                if (read[eventId].MadeAt is not { } madeAt || madeAt >= donor.ErasedAt) continue;
                scrubbed += await scrub.ScrubFoundByEmailAsync(donor.Id, email, [eventId], ct);
            }
        return scrubbed;
    }

    /// <summary>Daily: the events of the last <see cref="SweepWindow"/>, applied or failed, looked at again.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var since = clock.GetUtcNow().UtcDateTime - SweepWindow;
        var scrubbed = 0;
        (DateTime At, string Id)? after = null;
        while (true)
        {
            var rows = db.StripeEvents.AsNoTracking().Where(e => e.CreatedAt >= since && e.Status != StripeEventStatus.Received);
            if (after is { } a) rows = rows.Where(e => e.CreatedAt > a.At || (e.CreatedAt == a.At && string.Compare(e.Id, a.Id) > 0));
            var page = await rows.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Take(Page)
                .Select(e => new { e.Id, e.CreatedAt, e.Payload }).ToListAsync(ct);
            if (page.Count == 0) return scrubbed;
            scrubbed += await ScrubAsync([.. page.Select(e => new StripeEventApplied(e.Id, e.Payload))], ct);
            after = (page[^1].CreatedAt, page[^1].Id);
        }
    }

    /// <summary>What an event's object says about who it concerns.</summary>
    /// <param name="Ids">The ids of Stripe objects a donor's records keep, wherever they stand in the object.</param>
    /// <param name="Emails">Every email the object carries (customer details, billing details, receipt email).</param>
    /// <param name="MadeAt">When the object was made (its <c>created</c>).</param>
    private sealed record Payload(HashSet<string> Ids, HashSet<string> Emails, DateTime? MadeAt);

    /// <summary>
    /// The ids of donor-kept Stripe objects (customer, session, payment intent, charge, invoice,
    /// subscription) that the event's object names as whole values: no id that merely contains one.
    /// </summary>
    public static IReadOnlySet<string> NamedIds(string payload) => Read(payload).Ids;

    private static Payload Read(string payload)
    {
        var (ids, emails) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.OrdinalIgnoreCase));
        DateTime? madeAt = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("object", out var obj))
            {
                Collect(obj, null, ids, emails);
                if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("created", out var created) && created.TryGetInt64(out var unix))
                    madeAt = DateTime.UnixEpoch.AddSeconds(unix);
            }
        }
        catch (JsonException)
        {
            // Not JSON: the inbox never applies such a row, and it names nobody.
        }
        return new Payload(ids, emails, madeAt);
    }

    private static void Collect(JsonElement e, string? key, HashSet<string> ids, HashSet<string> emails)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Collect(p.Value, p.Name, ids, emails);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Collect(item, null, ids, emails);
                break;
            case JsonValueKind.String when e.GetString() is { Length: > 0 } s:
                if (DonorObjectId().IsMatch(s)) ids.Add(s);
                else if (key is not null && EmailKeys.Contains(key) && s.Contains('@')) emails.Add(s);
                break;
        }
    }

    [GeneratedRegex("^(?:cus|pi|ch|in|sub|cs)_[A-Za-z0-9_]{3,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DonorObjectId();
}
