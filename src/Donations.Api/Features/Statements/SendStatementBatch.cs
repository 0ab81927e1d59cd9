using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Sends one batch of a run's statements through one mail connection on this worker (MailKit is
/// not thread-safe), a chunk of <see cref="LedgerChunk"/> donors at a time, the next chunk
/// prepared while one is sent. Per donor, exactly once: the statement row (unique per donor and
/// year) is claimed with a conditional UPDATE and a lease before sending, and marked after its
/// chunk is sent, in the same transaction as the run's counter. A crash in between leaves the lease to run out; the statement then goes out again
/// with the same Message-Id. A donor already sent to is skipped
/// unless the run resends; a donor whose gifts were all refunded gets none (status Empty). The
/// statement is issued (<see cref="StatementIssues"/>) before it is sent, and a resend carries the
/// stored copy.
/// </summary>
public sealed class SendStatementBatch(
    DonationsDbContext db,
    StatementDocuments documents,
    StatementIssues issues,
    StatementClaims claims,
    StatementRunProgress progress,
    OutboundMail mail,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<SendStatementBatch> log)
{
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200])]
    public async Task RunAsync(long runId, long[] donorIds, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Year, r.Resend }).SingleOrDefaultAsync(ct);
        if (run is null) return;

        var rows = await claims.LoadAsync(donorIds, run.Year, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        rows.RemoveAll(r => r.RunId == runId && r.Status != StatementStatus.Pending); // this run is done with them

        var busy = rows.Where(r => r.ClaimedUntil > now).ToList();
        var sentBefore = rows.Except(busy).Where(r => r.Status == StatementStatus.Sent && r.RunId != runId && !run.Resend).ToList();
        await claims.SkipAsync(runId, sentBefore.Select(r => r.Id).ToList(), ct);
        var work = rows.Except(busy).Except(sentBefore).ToList();

        if (work.Count > 0)
            busy.AddRange(await SendAsync(runId, run.Resend, run.Year, work, ct));
        if (busy.Count > 0) Defer(runId, busy, now);
        await progress.CompleteIfDoneAsync(runId, ct);
    }

    /// <summary>
    /// Donors whose ledgers and documents a batch reads and holds at once (two chunks: one being
    /// sent, the next being prepared): what it holds does not grow with its size.
    /// </summary>
    internal const int LedgerChunk = 25;

    private IEmailSession? session;

    /// <summary>
    /// Works through the batch a chunk at a time, two chunks in step: while one chunk's messages go
    /// out over the mail connection, the next is read, claimed, rendered and stored, so the
    /// database, the templates and the PDFs keep the other core busy instead of waiting on the
    /// server. The database context is used by this loop alone; the sending only composes and
    /// talks to the server. A chunk's lease is renewed just before it goes out, and the chunk is
    /// marked once it is sent and the next one is ready, always before the batch ends: as before,
    /// a crash leaves at most one chunk sent and not yet marked (those statements go again, with
    /// their Message-Ids, once their lease runs out). Returns the rows another sender took first.
    /// </summary>
    private async Task<List<StatementClaims.Row>> SendAsync(long runId, bool resend, int year, List<StatementClaims.Row> work, CancellationToken ct)
    {
        var lost = new List<StatementClaims.Row>();
        Task<Sent>? sending = null;
        try
        {
            foreach (var chunk in work.Chunk(LedgerChunk))
            {
                Prepared next;
                try
                {
                    var ledgers = await documents.LoadAsync(chunk.Select(w => w.DonorId).ToList(), year, ct);
                    var claimed = await claims.ClaimAsync(runId, resend, year, chunk, ct);
                    lost.AddRange(chunk.Except(claimed.Select(c => c.Row)));
                    next = await PrepareAsync(year, claimed, ledgers, ct);
                }
                catch when (sending is not null)
                {
                    // What is on the wire is marked before this batch gives up; if the database is
                    // what failed, the marks fail too and those statements go again, with their
                    // Message-Ids, once their lease runs out.
                    await LandAfterFailureAsync(runId, sending);
                    throw;
                }
                if (sending is not null) await LandAsync(runId, await sending, next);
                sending = SendChunkAsync(await HoldAsync(next, lost, ct), ct);
            }
            if (sending is not null) await LandAsync(runId, await sending, next: null);
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
            session = null;
        }
        log.LogInformation("Statements: run {RunId} worked through a batch of {Count} donors", runId, work.Count);
        return lost;
    }

    /// <summary>A chunk ready to go out: what is already decided (nothing to send, or not renderable) and the messages' parts.</summary>
    private sealed record Prepared(List<StatementClaims.Outcome> Decided, List<Ready> Ready);

    private sealed record Ready(StatementClaims.Claimed Claim, StatementLedger Ledger, StatementIssues.Stored Document, MailContent Content);

    /// <summary>What became of a chunk on the wire; <see cref="Failure"/> is set when the connection is in doubt.</summary>
    private sealed record Sent(List<StatementClaims.Outcome> Outcomes, List<StatementClaims.Claimed> Unsent, Exception? Failure);

    /// <summary>
    /// Issues a chunk of claimed statements and stores their first documents in one insert before
    /// any is sent. First documents are rendered in parallel (templates and PDFs, no database);
    /// a statement tried before is settled against what was stored, one by one.
    /// </summary>
    private async Task<Prepared> PrepareAsync(int year, List<StatementClaims.Claimed> claimed, Dictionary<long, StatementLedger> ledgers, CancellationToken ct)
    {
        var decided = new List<StatementClaims.Outcome>();
        var ready = new List<Ready>(claimed.Count);
        var firsts = new List<StatementClaims.Claimed>(claimed.Count);
        foreach (var claim in claimed)
        {
            var row = claim.Row;
            var ledger = ledgers[row.DonorId];
            if (ledger.IsEmpty) decided.Add(new(claim, StatementStatus.Empty));
            // Nobody has tried to send it yet, so nothing was issued: no look-up.
            else if (row.Attempts == 0) firsts.Add(claim);
            else
            {
                try
                {
                    var (document, content) = await issues.ForRunAsync(row.Id, everSent: row.SentAt is not null, ledger, ct);
                    ready.Add(new(claim, ledger, document, content));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    decided.Add(NotRendered(claim, year, ex));
                }
            }
        }

        var rendered = await Task.WhenAll(firsts.Select(claim => Task.Run(async () =>
        {
            try
            {
                return (Claim: claim, Fresh: await issues.RenderFirstAsync(claim.Row.Id, ledgers[claim.Row.DonorId]), Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Claim: claim, Fresh: (StatementIssues.Fresh?)null, Error: ex);
            }
        }, ct)));
        var fresh = new List<(StatementClaims.Claimed Claim, StatementIssues.Fresh Document)>(rendered.Length);
        foreach (var (claim, document, error) in rendered)
        {
            if (document is not null) fresh.Add((claim, document));
            else decided.Add(NotRendered(claim, year, error!));
        }
        if (fresh.Count > 0)
        {
            // Issued and stored before it is sent: the portal's download is this very PDF.
            var stored = await issues.StoreFirstAsync(fresh.Select(f => f.Document).ToList(), ct);
            ready.AddRange(fresh.Zip(stored, (f, s) => new Ready(f.Claim, f.Document.Ledger, s.Document, s.Content)));
        }
        return new Prepared(decided, ready);
    }

    private StatementClaims.Outcome NotRendered(StatementClaims.Claimed claim, int year, Exception ex)
    {
        log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}, {Year}) could not be rendered", claim.Row.Id, claim.Row.DonorId, year);
        return new(claim, StatementStatus.Failed, ex.Message);
    }

    /// <summary>
    /// Renews the prepared chunk's lease just before it goes out (it waited for the chunk before
    /// it); a statement another sender took meanwhile is left to that sender.
    /// </summary>
    private async Task<Prepared> HoldAsync(Prepared chunk, List<StatementClaims.Row> lost, CancellationToken ct)
    {
        if (chunk.Ready.Count == 0) return chunk;
        var held = (await claims.RenewAsync(chunk.Ready.Select(r => r.Claim).ToList(), ct)).ToHashSet();
        if (held.Count == chunk.Ready.Count) return chunk;
        lost.AddRange(chunk.Ready.Where(r => !held.Contains(r.Claim)).Select(r => r.Claim.Row));
        return chunk with { Ready = chunk.Ready.Where(r => held.Contains(r.Claim)).ToList() };
    }

    /// <summary>
    /// Sends a prepared chunk over this batch's connection; never touches the database, so the
    /// next chunk can be prepared meanwhile. Does not throw: a connection in doubt is returned
    /// with what went out before it and what did not.
    /// </summary>
    private async Task<Sent> SendChunkAsync(Prepared chunk, CancellationToken ct)
    {
        var outcomes = new List<StatementClaims.Outcome>(chunk.Decided);
        var unsent = chunk.Ready.Select(r => r.Claim).ToList();
        try
        {
            foreach (var ready in chunk.Ready)
            {
                outcomes.Add(await SendOneAsync(ready.Claim, ready.Ledger, ready.Document, ready.Content, ct));
                unsent.Remove(ready.Claim);
            }
            return new Sent(outcomes, [], null);
        }
        catch (Exception ex)
        {
            return new Sent(outcomes, unsent, ex);
        }
    }

    /// <summary>
    /// Marks a sent chunk in one transaction. When its connection failed, the chunk prepared
    /// behind it is given back as well (its documents stay stored, its decided outcomes are
    /// marked), and Hangfire retries the batch.
    /// </summary>
    private async Task LandAsync(long runId, Sent sent, Prepared? next)
    {
        if (sent.Failure is not { } failure)
        {
            await claims.FinishAsync(runId, sent.Outcomes);
            return;
        }
        await claims.FinishAsync(runId, next is null ? sent.Outcomes : [.. sent.Outcomes, .. next.Decided]);
        await claims.ReleaseAsync(next is null ? sent.Unsent : [.. sent.Unsent, .. next.Ready.Select(r => r.Claim)], failure.Message);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Preparing the next chunk failed: the chunk on the wire is still marked if the database lets it.</summary>
    private async Task LandAfterFailureAsync(long runId, Task<Sent> sending)
    {
        var sent = await sending;
        try
        {
            await claims.FinishAsync(runId, sent.Outcomes);
            if (sent.Failure is { } failure) await claims.ReleaseAsync(sent.Unsent, failure.Message);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Statements: run {RunId} could not mark a sent chunk; its statements go again once their lease runs out", runId);
        }
    }

    private async Task<StatementClaims.Outcome> SendOneAsync(StatementClaims.Claimed claim, StatementLedger ledger,
        StatementIssues.Stored document, MailContent content, CancellationToken ct)
    {
        MimeKit.MimeMessage message;
        try
        {
            message = documents.Compose(ledger, content, document.Pdf, claim.MessageId);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}) could not be composed", claim.Row.Id, claim.Row.DonorId);
            return new(claim, StatementStatus.Failed, ex.Message);
        }
        using var _ = message;
        try
        {
            session ??= await mail.OpenSessionAsync(ct);
            await session.SendAsync(message, ct);
            return new(claim, StatementStatus.Sent);
        }
        catch (EmailRejectedException ex)
        {
            log.LogWarning("Statements: statement {StatementId} (donor {DonorId}) refused by the mail server: {Reason}", claim.Row.Id, claim.Row.DonorId, ex.Message);
            return new(claim, StatementStatus.Failed, ex.Message);
        }
    }

    /// <summary>Donors held by another sender are looked at again once its lease has run out.</summary>
    private void Defer(long runId, List<StatementClaims.Row> busy, DateTime now)
    {
        var ids = busy.Select(r => r.DonorId).Distinct().ToArray();
        var wait = busy.Max(r => r.ClaimedUntil ?? now) - now;
        var delay = (wait > TimeSpan.Zero ? wait : StatementClaims.Lease) + TimeSpan.FromSeconds(5);
        jobs.Schedule<SendStatementBatch>(JobQueues.Statements, job => job.RunAsync(runId, ids, CancellationToken.None), delay);
        log.LogInformation("Statements: run {RunId} deferred {Count} donors held by another sender for {Delay}", runId, ids.Length, delay);
    }

}
