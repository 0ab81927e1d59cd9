using System.Text.Json;
using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// The stored copies of Stripe's events about a donor, for their data download: those naming one of
/// the donor's own Stripe objects (customer, payment intents, charges, invoices, subscriptions),
/// found as erasure finds them (<see cref="EventPayloadScrub.OwnEventIdsAsync"/>). Events found
/// only by an email address are left out: they may be another payer's.
/// </summary>
public sealed class DonorDataEvents(DonationsDbContext db, EventPayloadScrub scrub)
{
    // A monthly donor of some years has hundreds of events of a few kilobytes each: they are read a
    // page at a time and written straight to the download, so memory holds one page, not the history.
    private const int Page = 100;
    // Lists of ids go to the database as one parameter each lookup; kept well under every provider's limits.
    private const int Lookup = 500;

    /// <summary>Writes the donor's events, oldest received first, as a JSON array; returns how many.</summary>
    public async Task<int> WriteAsync(long donorId, Utf8JsonWriter json, CancellationToken ct)
    {
        var theirs = (await scrub.StripeIdsAsync(donorId, ct)).ToHashSet(StringComparer.Ordinal);
        var found = (await scrub.OwnEventIdsAsync(theirs, ct)).ToList();
        var order = new List<(DateTime ReceivedAt, string Id)>(found.Count);
        foreach (var chunk in found.Chunk(Lookup))
            order.AddRange((await db.StripeEvents.AsNoTracking().Where(e => chunk.Contains(e.Id))
                .Select(e => new { e.ReceivedAt, e.Id }).ToListAsync(ct)).Select(e => (e.ReceivedAt, e.Id)));

        json.WriteStartArray();
        var written = 0;
        foreach (var page in order.OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).Chunk(Page))
        {
            var rows = await db.StripeEvents.AsNoTracking().Where(e => page.Contains(e.Id))
                .Select(e => new { e.Id, e.Type, e.ReceivedAt, e.CreatedAt, e.Status, e.Payload }).ToListAsync(ct);
            foreach (var e in rows.OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id, StringComparer.Ordinal))
            {
                // The search matches ids as substrings; only an event naming one of the donor's ids as
                // a whole value is theirs, so another donor's event never comes along.
                if (!ScrubLateEvents.NamedIds(e.Payload).Overlaps(theirs)) continue;
                json.WriteStartObject();
                json.WriteString("id", e.Id);
                json.WriteString("type", e.Type);
                json.WriteString("created_at", e.CreatedAt);
                json.WriteString("received_at", e.ReceivedAt);
                json.WriteString("status", e.Status.ToString());
                json.WritePropertyName("payload");
                // As stored, byte for byte (already scrubbed for an erased donor).
                json.WriteRawValue(e.Payload, skipInputValidation: false);
                json.WriteEndObject();
                written++;
            }
            await json.FlushAsync(ct);
        }
        json.WriteEndArray();
        return written;
    }
}
