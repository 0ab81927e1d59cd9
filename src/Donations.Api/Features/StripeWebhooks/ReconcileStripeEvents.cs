using System.Text;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Recurring: lists the events of the handled types from the last Stripe:ReconcileWindow through
/// the Events API and puts any the inbox lacks through the same insert as webhooks (duplicate-safe,
/// so it may overlap a delivery). The dispatcher then processes them like any other event, so a
/// missed webhook still becomes its donation and receipt. The Events API renders each event in the
/// account's default API version; one that is not the pinned version is ingested as a
/// <see cref="PinnedEventCopy"/> (its object fetched again), so the account's default does not matter.
/// </summary>
public sealed class ReconcileStripeEvents(
    IStripeClient stripe, DonationsDbContext db, StripeInbox inbox, PinnedEventCopy pinned, IEnumerable<IStripeEventHandler> handlers,
    IOptionsMonitor<StripeOptions> options, TimeProvider time, ILogger<ReconcileStripeEvents> log)
{
    public const string RecurringJobId = "stripe-reconcile";
    private const int PageSize = 100;

    public async Task<int> RunAsync()
    {
        var o = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(o.SecretKey))
        {
            log.LogWarning("Stripe reconciliation skipped: Stripe:SecretKey is not set");
            return 0;
        }

        var since = time.GetUtcNow().UtcDateTime - o.ReconcileWindow;
        var query = new EventListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = since },
            Types = handlers.SelectMany(h => h.EventTypes).Distinct().Order().ToList(),
            Limit = PageSize,
        };
        int seen = 0, added = 0;
        var page = new List<Event>(PageSize);
        await foreach (var e in new EventService(stripe).ListAutoPagingAsync(query))
        {
            seen++;
            page.Add(e);
            if (page.Count == PageSize) added += await IngestMissingAsync(page);
        }
        added += await IngestMissingAsync(page);
        log.Log(added > 0 ? LogLevel.Warning : LogLevel.Information,
            "Stripe reconciliation since {Since:o}: {Seen} events listed, {Added} missing from the inbox added", since, seen, added);
        return added;
    }

    private async Task<int> IngestMissingAsync(List<Event> page)
    {
        var ids = page.Select(e => e.Id).ToList();
        // A row stored in another API version never reached a handler: what is listed here (fetched
        // at the pinned version) replaces it. A row whose handler failed is left to its retries and
        // to staff; replacing it on every run would replay a failing event every hour.
        var stored = await db.StripeEvents.Where(e => ids.Contains(e.Id))
            .Select(e => new { e.Id, e.Status, e.ApiVersion }).ToListAsync();
        var known = stored.Where(e => e.Status != StripeEventStatus.Failed || StripeApiVersion.IsSupported(e.ApiVersion))
            .Select(e => e.Id).ToHashSet();
        var added = 0;
        foreach (var e in page.Where(e => !known.Contains(e.Id)))
        {
            // The event exactly as Stripe sent it; re-serialising would not be the same bytes.
            var json = e.RawJsonElement is { ValueKind: System.Text.Json.JsonValueKind.Object } raw ? raw.GetRawText() : e.ToJson();
            var envelope = StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(json));
            if (envelope is not null && !StripeApiVersion.IsSupported(envelope.ApiVersion))
            {
                // Listed in the account's default version: never processed from that payload.
                var copy = await pinned.CreateAsync(json, CancellationToken.None);
                if (copy is null)
                {
                    log.LogWarning("Stripe event {EventId} is listed in API version {ApiVersion} and its object could not be " +
                                   "fetched at {Pinned}; left for the next run", e.Id, envelope.ApiVersion, StripeApiVersion.Pinned);
                    continue;
                }
                (json, envelope) = (copy, StripeEventEnvelope.TryParse(Encoding.UTF8.GetBytes(copy)));
            }
            if (envelope is null)
            {
                log.LogWarning("Stripe event {EventId} from the Events API could not be read; skipped", e.Id);
                continue;
            }
            if (await inbox.AddAsync(envelope, json, StripeInbox.FromReconcile, CancellationToken.None) == InboxResult.Added)
            {
                added++;
                log.LogWarning("Stripe event {EventId} ({EventType}) was missing and has been added from the Events API", e.Id, e.Type);
            }
        }
        page.Clear();
        return added;
    }
}
