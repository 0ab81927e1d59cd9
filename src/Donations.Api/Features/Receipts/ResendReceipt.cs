using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Staff resend a receipt: the same figures, marked COPY, with a new Message-Id that answers the
/// original so it threads. The copy's Message-Id is chosen here, so a retried job keeps it.
/// </summary>
public static class ResendReceipt
{
    public sealed record Response(string Number, string MessageId);

    public static async Task<Results<Accepted<Response>, ProblemHttpResult>> HandleAsync(
        string number, DonationsDbContext db, IBackgroundJobClient jobs, OutboundMail mail, CancellationToken ct)
    {
        var id = await db.Receipts.Where(r => r.Number == number).Select(r => (long?)r.Id).SingleOrDefaultAsync(ct);
        if (id is null) return GetReceipt.NoSuchReceipt(number);
        var messageId = mail.NewMessageId($"copy-{number}");
        jobs.Enqueue<SendReceiptCopy>(JobQueues.Email, job => job.RunAsync(id.Value, messageId, CancellationToken.None));
        return TypedResults.Accepted((string?)null, new Response(number, messageId));
    }
}

public sealed class SendReceiptCopy(DonationsDbContext db, ReceiptMessages messages, OutboundMail mail, ILogger<SendReceiptCopy> log)
{
    [AutomaticRetry(Attempts = 10)]
    public async Task RunAsync(long receiptId, string messageId, CancellationToken ct)
    {
        var source = (await messages.LoadAsync([receiptId], ct)).Single();
        var message = await messages.BuildAsync(source, messageId, ct);
        try
        {
            await mail.SendAsync(message, ct);
            log.LogInformation("Receipts: copy of {ReceiptNumber} sent", source.Receipt.Number);
        }
        catch (EmailRejectedException ex)
        {
            // Retrying a refusal will not help; staff see why on the receipt.
            await db.Receipts.Where(r => r.Id == receiptId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastError, $"Copy refused: {ex.Message}"), CancellationToken.None);
            log.LogWarning("Receipts: copy of {ReceiptNumber} refused by the mail server; see the receipt's LastError", source.Receipt.Number);
        }
    }
}
