using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Brings one donation's receipts in line with its state. Every gift gets one original receipt
/// for what was paid. Once that has been delivered (or refused), a partial refund issues a
/// corrected receipt with a new number, and a full refund or lost dispute voids the standing
/// receipt and issues a void notice; a gift that counts again after that (a lost dispute won on
/// appeal) gets a reinstated receipt. Waiting for delivery keeps the donor's mail in order
/// (receipt, then correction) and means a receipt is never voided while it is being sent.
/// Running it again changes nothing.
/// </summary>
public sealed class ReconcileReceipts(
    DonationsDbContext db,
    ReceiptNumbers numbers,
    ReceiptMessages messages,
    ReceiptScheduler scheduler,
    TimeProvider clock,
    OutboundMail mail,
    IOptions<OrganizationOptions> organization,
    IGiftSettlementReader settlements,
    IOptions<ReceiptsOptions> receiptOptions,
    ILogger<ReconcileReceipts> log)
{
    // A database restart heals in seconds; Hangfire's default first delay (16–75 s) would hold
    // the work back for a minute after it, so the first retries come sooner, and a restart of up to
    // ~40 s is still followed within seconds.
    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
    public async Task RunAsync(long donationId, CancellationToken ct)
    {
        if ((await HoldForSettlementsAsync([donationId], ct)).Count > 0) return;
        var issued = await ReconcileAsync(donationId, ct);
        if (issued.Count == 0) return;
        await IssueDocumentsAsync(issued, ct);
        scheduler.SendPending();
    }

    /// <summary>
    /// Many gifts in one job (a burst of events processed together). Gifts that have no receipt yet,
    /// the common case, get their originals in one transaction per year: one lock on the year's
    /// counter for the whole batch, numbers allocated together and still without gaps. Any other
    /// gift is reconciled in its own short transaction, as <see cref="RunAsync"/> does, so a gift
    /// that fails holds back no other. Then their PDFs are rendered and stored together and one
    /// send is asked for. A re-run after a crash finds the receipts already stored and issues
    /// nothing twice.
    /// </summary>
    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
    public async Task RunManyAsync(long[] donationIds, CancellationToken ct)
    {
        var issued = new List<Receipt>();
        Exception? failure = null;
        // A held gift waits alone: the batch's others are issued now.
        var held = await HoldForSettlementsAsync(donationIds, ct);
        var (firsts, others) = await SplitAsync([.. donationIds.Where(id => !held.Contains(id))], ct);
        foreach (var year in firsts)
        {
            try
            {
                issued.AddRange(await IssueOriginalsAsync(year.Key, [.. year], ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gifts go one by one below instead: one that cannot be issued holds back no other.
                log.LogWarning(ex, "Receipts: {Count} first receipts of {Year} could not be issued together; issuing them one by one", year.Count(), year.Key);
                others.AddRange(year);
            }
        }
        foreach (var id in others)
        {
            try
            {
                issued.AddRange(await ReconcileAsync(id, ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Receipts: donation {DonationId} could not be reconciled in its batch; the batch is retried", id);
                failure ??= ex;
            }
        }
        if (issued.Count > 0)
        {
            await IssueDocumentsAsync(issued, ct);
            scheduler.SendPending();
        }
        // Hangfire's retry runs the batch again: reconciled gifts change nothing, the failed one is tried anew.
        if (failure is not null) throw new InvalidOperationException("Some receipts of the batch could not be issued", failure);
    }

    /// <summary>
    /// How long receipts just issued are held back from the senders while their PDFs are rendered
    /// and stored, so a sender neither renders a PDF a second time nor races the issuer to store
    /// it. Released as soon as they are stored; a crash in between only delays their sending by this.
    /// </summary>
    public static readonly TimeSpan IssueHold = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The gifts in another currency whose first receipt waits for Stripe's settlement: what a
    /// receipt states is fixed when it is issued (its stored facts), and with asynchronous capture
    /// Stripe adds a charge's balance transaction (the USD amount) a moment after the charge
    /// succeeds — after the webhook this runs on. So the settlement is read first, and a gift whose
    /// settlement is not known yet is held, up to <see cref="ReceiptsOptions.SettlementWait"/> from
    /// when it was recorded; the minutely <see cref="ReceiptsSweeper"/> brings it back until it is
    /// issued, with the line or, after the wait, without it. Dollar gifts are never asked about
    /// nor held. Stripe is asked only about gifts not being read or waited for (the finance sweep's
    /// lease, a failure's back-off: 1, 2, 4 … minutes), so a held gift costs Stripe no more than the
    /// finance sweep would; and at most <see cref="SettlementBudget"/> per batch, none after Stripe
    /// failed to answer once (down or slow), so the batch's other receipts are never slowed for long.
    /// A charge Stripe does not know is not waited for.
    /// </summary>
    private async Task<HashSet<long>> HoldForSettlementsAsync(IReadOnlyCollection<long> donationIds, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var now = clock.GetUtcNow().UtcDateTime;
        var foreign = await db.Donations.AsNoTracking()
            .Where(d => donationIds.Contains(d.Id) && d.Currency != "usd" && d.Amount > 0
                && !db.Receipts.Any(r => r.DonationId == d.Id)
                && !db.GiftSettlements.Any(s => s.DonationId == d.Id && s.CheckedAt != null))
            .OrderBy(d => d.Id)
            .Select(d => new
            {
                d.Id, d.CreatedAt,
                Due = !db.GiftSettlements.Any(s => s.DonationId == d.Id && s.NextAttemptAt > now),
            })
            .ToListAsync(ct);
        if (foreign.Count == 0) return [];

        var wait = receiptOptions.Value.SettlementWait;
        var held = foreign.Where(g => now < g.CreatedAt + wait).Select(g => g.Id).ToHashSet();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(SettlementBudget);
        foreach (var gift in foreign.Where(g => g.Due))
        {
            SettlementRead read;
            try
            {
                read = await settlements.ReadAsync(gift.Id, budget.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // E.g. the finance sweep recorded the same transaction at the same moment: asked again on the next pass.
                log.LogWarning(ex, "Receipts: Stripe's settlement of donation {DonationId} could not be recorded before its receipt", gift.Id);
                read = SettlementRead.Unavailable;
            }
            db.ChangeTracker.Clear();
            if (read is SettlementRead.Recorded or SettlementRead.Refused) held.Remove(gift.Id);
            if (read == SettlementRead.Unavailable)
            {
                log.LogInformation("Receipts: Stripe did not answer for donation {DonationId}; the batch's other gifts in other currencies are not asked about now", gift.Id);
                break;
            }
        }
        if (held.Count > 0)
            log.LogInformation("Receipts: {Count} first receipts held until Stripe settles their gifts in other currencies (at most {Wait})", held.Count, wait);
        return held;
    }

    /// <summary>The most a batch of receipts waits on Stripe for its foreign gifts' settlements.</summary>
    public static readonly TimeSpan SettlementBudget = TimeSpan.FromSeconds(10);

    /// <summary>Gifts with no receipt yet, by year, and the rest, which need the full reconciliation.</summary>
    private async Task<(IEnumerable<IGrouping<int, long>> Firsts, List<long> Others)> SplitAsync(long[] donationIds, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var firsts = await db.Donations.AsNoTracking()
            .Where(d => donationIds.Contains(d.Id) && d.Amount > 0 && !db.Receipts.Any(r => r.DonationId == d.Id))
            .Select(d => new { d.Id, d.ReceivedAt })
            .ToListAsync(ct);
        var others = donationIds.Except(firsts.Select(f => f.Id)).ToList();
        return (firsts.GroupBy(f => numbers.YearOf(f.ReceivedAt), f => f.Id).ToList(), others);
    }

    /// <summary>
    /// Original receipts for gifts that had none, in one transaction. The gifts' rows are locked
    /// first, as the one-gift path locks its gift, so a reconciliation of any of them waits and
    /// then sees these receipts; a gift that got a receipt meanwhile, or moved to another year, is
    /// left to the one-gift path.
    /// </summary>
    private async Task<List<Receipt>> IssueOriginalsAsync(int year, List<long> donationIds, CancellationToken ct)
    {
        await numbers.EnsureCounterAsync(year, ct);
        db.ChangeTracker.Clear();
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Donations.Where(d => donationIds.Contains(d.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.UpdatedAt, d => d.UpdatedAt), ct);
        var donations = (await db.Donations.AsNoTracking()
                .Where(d => donationIds.Contains(d.Id) && d.Amount > 0 && !db.Receipts.Any(r => r.DonationId == d.Id))
                .OrderBy(d => d.Id)
                .ToListAsync(ct))
            .Where(d => numbers.YearOf(d.ReceivedAt) == year)
            .ToList();
        if (donations.Count == 0) return [];

        var first = await numbers.NextAsync(year, donations.Count, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var issued = donations.Select((d, i) => NewReceipt(d, ReceiptKind.Original, d.Amount, null, year, first + i, now)).ToList();
        db.Receipts.AddRange(issued);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Receipts: issued {Count} originals {First} to {Last}", issued.Count, issued[0].Number, issued[^1].Number);
        return issued;
    }

    private async Task IssueDocumentsAsync(List<Receipt> issued, CancellationToken ct)
    {
        var ids = issued.Select(r => r.Id).ToList();
        try
        {
            // Outside the transaction: it holds the year's counter row, which every issue waits for.
            await messages.IssueDocumentsAsync(ids, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The receipts stand; their first send renders the PDFs instead.
            log.LogWarning(ex, "Receipts: the PDFs of {Count} receipts could not be stored now", issued.Count);
        }
        finally
        {
            // Ours to send now. A sender that claimed one after our hold ran out holds it until
            // later than our hold ends, and keeps it.
            var hold = issued.Max(r => r.ClaimedUntil);
            await db.Receipts.Where(r => ids.Contains(r.Id) && r.Status == ReceiptStatus.Pending && r.ClaimedUntil <= hold)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        }
    }

    private async Task<List<Receipt>> ReconcileAsync(long donationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var receivedAt = await db.Donations.Where(d => d.Id == donationId).Select(d => (DateTime?)d.ReceivedAt).SingleOrDefaultAsync(ct);
        if (receivedAt is null)
        {
            log.LogWarning("Receipts: donation {DonationId} does not exist", donationId);
            return [];
        }
        var year = numbers.YearOf(receivedAt.Value);
        await numbers.EnsureCounterAsync(year, ct);

        List<Receipt> issued;
        db.Database.AutoSavepointsEnabled = false;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Locks the donation row: a second reconciliation of the same gift waits here and then
            // sees the receipts this one stored.
            await db.Donations.Where(d => d.Id == donationId)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.UpdatedAt, d => d.UpdatedAt), ct);
            var donation = await db.Donations.AsNoTracking().SingleAsync(d => d.Id == donationId, ct);
            var receipts = await db.Receipts.Where(r => r.DonationId == donationId).ToListAsync(ct);

            issued = await IssueAsync(donation, receipts, year, ct);
            if (issued.Count == 0) return [];
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        foreach (var r in issued)
            log.LogInformation("Receipts: issued {Kind} {ReceiptNumber} for donation {DonationId}", r.Kind, r.Number, donationId);
        return issued;
    }

    private async Task<List<Receipt>> IssueAsync(Donation donation, List<Receipt> receipts, int year, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (!receipts.Any(r => r.Kind == ReceiptKind.Original))
        {
            if (donation.Amount <= 0) return [];
            return [await NewReceiptAsync(donation, ReceiptKind.Original, donation.Amount, null, year, now, ct)];
        }

        var standing = ReceiptRules.Standing(receipts);
        var stated = GiftAmounts.StatedAmount(donation);
        if (standing is null) return await ReinstateAsync(donation, receipts, stated, year, now, ct);
        // Still on its way: the sender asks again after delivery.
        if (standing.Status == ReceiptStatus.Pending) return [];

        // Same amount, same deductible part and same date: nothing to correct. The deductible part
        // alone moves when the benefits are judged again (a date moved into another year's limits).
        if (stated == standing.Amount && GiftAmounts.Deductible(stated, donation) == standing.DeductibleAmount
            && !await DateMovedAsync(standing, donation, year, ct))
            return [];

        standing.Status = ReceiptStatus.Voided;
        standing.VoidedAt = now;
        var kind = stated == 0 ? ReceiptKind.VoidNotice : ReceiptKind.Correction;
        var amount = stated == 0 ? standing.Amount : stated;
        return [await NewReceiptAsync(donation, kind, amount, standing.Id, year, now, ct)];
    }

    /// <summary>
    /// Whether the gift's date is no longer the one its standing receipt stated: a later event knew
    /// an earlier payment date (a bank debit's invoice processed before its Checkout session). A
    /// move into another tax year changes the year the gift is deductible in; a move within the year
    /// changes no deduction but still leaves the donor's record of the gift — the receipt, which
    /// IRC 170(f)(17) wants to show the date — disagreeing with the bank statement and the yearly
    /// statement, so it is corrected too (it is rare: only a late event moves a date). Facts that
    /// keep the stated day as an ISO date with its time zone are compared on that calendar, so a
    /// new <c>Organization:TimeZone</c> or date format moves nothing; older facts by the date they
    /// printed, read back as a date; a receipt without facts only across years.
    /// </summary>
    private async Task<bool> DateMovedAsync(Receipt standing, Donation donation, int year, CancellationToken ct)
    {
        var facts = await db.ReceiptDocuments.AsNoTracking().Where(d => d.ReceiptId == standing.Id).Select(d => d.Facts).FirstOrDefaultAsync(ct);
        var stated = StatedFacts(facts);
        if (Text(stated, "DonationLocalDate") is { } iso && Text(stated, "DonationTimeZone") is { } zoneId && TimeZoneOf(zoneId) is { } zone)
            return iso != Dates.Iso(donation.ReceivedAt, zone);
        if (standing.Year != year) return true;
        var local = DateOnly.FromDateTime(Dates.Local(donation.ReceivedAt, organization.Value.GetTimeZone()));
        return Text(stated, "DonationDate") is { } printed
            && DateOnly.TryParseExact(printed, "MMMM d, yyyy", CultureInfo.GetCultureInfo("en-US"), DateTimeStyles.None, out var day)
            && day != local;
    }

    private static string? Text(JsonObject? facts, string member) =>
        facts?[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static TimeZoneInfo? TimeZoneOf(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    private static JsonObject? StatedFacts(string? facts)
    {
        if (facts is null) return null;
        try
        {
            return JsonNode.Parse(facts) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The date of contribution stored facts printed, or null when they do not say.</summary>
    public static string? StatedDate(string? facts)
    {
        if (facts is null) return null;
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(facts)?["DonationDate"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Nothing stands because the gift was voided (a lost dispute), yet it counts again (the dispute
    /// was won on appeal): a reinstated receipt replaces the voided one, once the void notice is out.
    /// </summary>
    private async Task<List<Receipt>> ReinstateAsync(Donation donation, List<Receipt> receipts, long stated, int year, DateTime now,
        CancellationToken ct)
    {
        var voidNotice = receipts.Where(r => r.Kind == ReceiptKind.VoidNotice).OrderByDescending(r => r.Sequence).FirstOrDefault();
        if (stated == 0 || voidNotice is null || voidNotice.Status == ReceiptStatus.Pending) return [];
        return [await NewReceiptAsync(donation, ReceiptKind.Reinstatement, stated, voidNotice.ReplacesReceiptId, year, now, ct)];
    }

    private async Task<Receipt> NewReceiptAsync(Donation donation, ReceiptKind kind, long amount, long? replaces, int year, DateTime now, CancellationToken ct)
    {
        var receipt = NewReceipt(donation, kind, amount, replaces, year, await numbers.NextAsync(year, ct), now);
        db.Receipts.Add(receipt);
        return receipt;
    }

    private Receipt NewReceipt(Donation donation, ReceiptKind kind, long amount, long? replaces, int year, int sequence, DateTime now)
    {
        var number = ReceiptNumbers.Format(year, sequence);
        return new Receipt
        {
            Number = number,
            Year = year,
            Sequence = sequence,
            DonationId = donation.Id,
            Kind = kind,
            Status = ReceiptStatus.Pending,
            ReplacesReceiptId = replaces,
            Amount = amount,
            Currency = donation.Currency,
            DeductibleAmount = kind == ReceiptKind.VoidNotice ? 0 : GiftAmounts.Deductible(amount, donation),
            IssuedAt = now,
            // Held from the senders until its PDF is stored (see IssueHold).
            ClaimedUntil = RowClaims.Mark(now + IssueHold),
            // Chosen once, before the first attempt: a resend after a crash keeps it, so clients thread it.
            MessageId = mail.NewMessageId($"{(kind == ReceiptKind.VoidNotice ? "void" : "receipt")}-{number}"),
        };
    }
}
