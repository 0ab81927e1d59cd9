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
/// carries what Stripe keeps (the name, email and address typed at checkout). Every applied event,
/// processed or ignored, that names a Stripe object of an erased donor (customer, payment intent,
/// charge, invoice, subscription) is scrubbed as the donor's own once it is committed. Inside a
/// batch of events they are gathered and looked up together at its end; a process that dies first
/// leaves them to <see cref="SweepAsync"/>, daily over the last <see cref="SweepWindow"/> of events.
/// </summary>
public sealed partial class ScrubLateEvents(DonationsDbContext db, EventPayloadScrub scrub, AfterCommitBatch batch, TimeProvider clock,
    ILogger<ScrubLateEvents> log) : IAfterCommit<StripeEventApplied>
{
    public const string JobId = "privacy-scrub-late-events";
    /// <summary>Stripe retries a delivery for up to three days; a day more for the process that died.</summary>
    public static readonly TimeSpan SweepWindow = TimeSpan.FromDays(4);
    private const int Page = 500;
    private readonly List<StripeEventApplied> _held = [];

    public Task AfterCommitAsync(IReadOnlyList<StripeEventApplied> events, CancellationToken ct)
    {
        if (!batch.IsOpen) return ScrubAsync(events, ct);
        _held.AddRange(events);
        batch.Hold(this, async token =>
        {
            var held = _held.ToList();
            _held.Clear();
            await ScrubAsync(held, token);
        });
        return Task.CompletedTask;
    }

    /// <summary>Scrubs those of <paramref name="events"/> that name an erased donor's Stripe objects; returns how many.</summary>
    public async Task<int> ScrubAsync(IReadOnlyCollection<StripeEventApplied> events, CancellationToken ct)
    {
        var named = events.DistinctBy(e => e.EventId).ToDictionary(e => e.EventId, e => ObjectIdsIn(e.Payload));
        var ids = named.Values.SelectMany(x => x).Distinct().ToList();
        if (ids.Count == 0) return 0;
        // One round trip on indexed columns: almost always no erased donor is named.
        var erased = await db.Donors.Where(d => d.ErasedAt != null && d.StripeCustomerId != null && ids.Contains(d.StripeCustomerId)).Select(d => d.Id)
            .Union(db.Donations.Where(g => g.Donor!.ErasedAt != null
                    && (ids.Contains(g.StripePaymentIntentId!) || ids.Contains(g.StripeChargeId!) || ids.Contains(g.StripeInvoiceId!)
                        || ids.Contains(g.StripeSubscriptionId!)))
                .Select(g => g.DonorId))
            .Union(db.Memberships.Where(m => m.Donor!.ErasedAt != null && ids.Contains(m.StripeSubscriptionId)).Select(m => m.DonorId))
            .ToListAsync(ct);
        var scrubbed = 0;
        foreach (var donorId in erased)
        {
            var theirs = (await scrub.StripeIdsAsync(donorId, ct)).ToHashSet();
            scrubbed += await scrub.ScrubOwnEventsAsync(donorId, [.. named.Where(e => e.Value.Overlaps(theirs)).Select(e => e.Key)], ct);
        }
        if (scrubbed > 0) log.LogInformation("Privacy: {Count} events about erased donors scrubbed after they arrived", scrubbed);
        return scrubbed;
    }

    /// <summary>Daily: the events of the last <see cref="SweepWindow"/>, applied, looked at again.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var since = clock.GetUtcNow().UtcDateTime - SweepWindow;
        var scrubbed = 0;
        (DateTime At, string Id)? after = null;
        while (true)
        {
            var rows = db.StripeEvents.AsNoTracking()
                .Where(e => e.CreatedAt >= since && (e.Status == StripeEventStatus.Processed || e.Status == StripeEventStatus.Ignored));
            if (after is { } a) rows = rows.Where(e => e.CreatedAt > a.At || (e.CreatedAt == a.At && string.Compare(e.Id, a.Id) > 0));
            var page = await rows.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Take(Page)
                .Select(e => new { e.Id, e.CreatedAt, e.Payload }).ToListAsync(ct);
            if (page.Count == 0) return scrubbed;
            scrubbed += await ScrubAsync([.. page.Select(e => new StripeEventApplied(e.Id, e.Payload))], ct);
            after = (page[^1].CreatedAt, page[^1].Id);
        }
    }

    /// <summary>The ids of Stripe objects a donor's records keep, wherever they stand in the event's object.</summary>
    internal static HashSet<string> ObjectIdsIn(string payload)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("object", out var obj)) Collect(obj, found);
        }
        catch (JsonException)
        {
            // Not JSON: the inbox never applies such a row, and it names nobody.
        }
        return found;
    }

    private static void Collect(JsonElement e, HashSet<string> found)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Collect(p.Value, found);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Collect(item, found);
                break;
            case JsonValueKind.String when e.GetString() is { } s && DonorObjectId().IsMatch(s):
                found.Add(s);
                break;
        }
    }

    [GeneratedRegex("^(?:cus|pi|ch|in|sub)_[A-Za-z0-9_]{3,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DonorObjectId();
}
