using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.DonorPortal;

/// <summary>What the <c>gift-change.*.liquid</c> templates see.</summary>
public sealed class GiftChangeEmailModel
{
    public required string OrganizationName { get; init; }
    public string? DonorName { get; init; }
    /// <summary>The change in the donor's words, e.g. "Your monthly gift will be $15.00 from your next payment."</summary>
    public required string Summary { get; init; }
    /// <summary>The reason the donor gave for cancelling, if any.</summary>
    public string? Reason { get; init; }
    public required string ManageUrl { get; init; }
}

/// <summary>
/// Emails the donor a confirmation of one accepted <see cref="Data.Entities.GiftChange"/>: one job per
/// change, enqueued once, skipped when the change is marked sent. A retry after a crash between
/// sending and marking sends again under the same Message-Id, which mail clients show once.
/// </summary>
public sealed class ConfirmGiftChange(DonationsDbContext db, OutboundMail mail, TimeProvider clock,
    IOptions<OrganizationOptions> org, IOptions<DonationsOptions> donations, ILogger<ConfirmGiftChange> log)
{
    public async Task RunAsync(long changeId, CancellationToken ct)
    {
        var change = await db.GiftChanges.AsNoTracking().Where(c => c.Id == changeId && c.EmailSentAt == null)
            .Select(c => new { c.Summary, c.Reason, c.MessageId, c.DonorId, c.Membership!.Donor!.Email, c.Membership.Donor.Name })
            .SingleOrDefaultAsync(ct);
        if (change is null) return;
        var model = new GiftChangeEmailModel
        {
            OrganizationName = org.Value.Name,
            DonorName = string.IsNullOrWhiteSpace(change.Name) ? null : change.Name,
            Summary = change.Summary,
            Reason = string.IsNullOrWhiteSpace(change.Reason) ? null : change.Reason,
            ManageUrl = $"{donations.Value.PublicBaseUrl.TrimEnd('/')}/manage",
        };
        await mail.SendAsync(await mail.ComposeAsync("gift-change", model, new MailEnvelope(change.Email, change.Name, change.MessageId)), ct);
        await db.GiftChanges.Where(c => c.Id == changeId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.EmailSentAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
        log.LogInformation("Confirmed gift change {ChangeId} to donor {DonorId}", changeId, change.DonorId);
    }
}
