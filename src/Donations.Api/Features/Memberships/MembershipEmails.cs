using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.Memberships;

/// <summary>What a lifecycle email needs to know about the membership and its donor.</summary>
public sealed record MembershipFacts(
    long MembershipId, long DonorId, string Email, string? Name, string SubscriptionId,
    string Status, string? Tier, long MonthlyAmount, string Currency, DateTime? CurrentPeriodEnd);

/// <summary>The words of the welcome, payment failed and canceled emails (plain text and HTML).</summary>
public sealed class MembershipEmails(
    IOptions<OrganizationOptions> org, IOptions<DonationsOptions> donations,
    IOptions<MembershipsOptions> memberships, IOptions<EmailOptions> email)
{
    private string BaseUrl => donations.Value.PublicBaseUrl.TrimEnd('/');

    public MimeMessage Welcome(MembershipFacts m, string messageId)
    {
        var amount = Money.Format(m.MonthlyAmount, m.Currency);
        var benefits = memberships.Value.Tiers.FirstOrDefault(t => t.Name == m.Tier)?.Benefits;
        var tierLine = m.Tier is null ? "" : $"You are a {m.Tier} member."
            + (string.IsNullOrWhiteSpace(benefits) ? "" : $" Your membership includes: {benefits}.");
        return Compose(m, messageId, $"Welcome, and thank you for your monthly gift to {org.Value.Name}",
        [
            $"Thank you for your monthly gift of {amount}. Your first payment has gone through, and your tax receipt is on its way in a separate email.",
            tierLine,
            $"You can see your gifts and receipts, change the amount or card, or cancel at any time here: {BaseUrl}/manage",
        ]);
    }

    public MimeMessage PaymentFailed(MembershipFacts m, string messageId) =>
        Compose(m, messageId, $"Your monthly gift to {org.Value.Name} did not go through",
        [
            $"We could not collect your monthly gift of {Money.Format(m.MonthlyAmount, m.Currency)}. This usually means the card has expired or was replaced.",
            $"To keep your membership going, please update your card here: {BaseUrl}/manage (we will email you a link that signs you in, then choose \"Manage monthly gift and payment details\").",
            "Stripe will try the payment again over the next few days. If you have already updated your card, thank you, and please ignore this message.",
        ]);

    public MimeMessage Canceled(MembershipFacts m, string messageId) =>
        Compose(m, messageId, $"Your monthly gift to {org.Value.Name} has ended",
        [
            $"Your monthly gift of {Money.Format(m.MonthlyAmount, m.Currency)} has ended, and no further payments will be taken. Thank you for everything you have given.",
            $"If you would like to support us again, once or monthly, you are always welcome: {BaseUrl}/donate",
            $"Your past gifts, receipts and statements stay available at {BaseUrl}/manage",
        ]);

    private MimeMessage Compose(MembershipFacts m, string messageId, string subject, string[] paragraphs)
    {
        var greeting = string.IsNullOrWhiteSpace(m.Name) ? "Hello," : $"Dear {m.Name},";
        var lines = new[] { greeting }.Concat(paragraphs.Where(p => p.Length > 0)).Append(org.Value.Name).ToArray();
        var message = new MimeMessage
        {
            Subject = subject,
            MessageId = messageId,
            Body = new BodyBuilder
            {
                TextBody = string.Join("\n\n", lines) + "\n",
                HtmlBody = string.Concat(lines.Select(l => $"<p>{Linkify(System.Net.WebUtility.HtmlEncode(l))}</p>\n")),
            }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(email.Value.From));
        message.To.Add(new MailboxAddress(m.Name ?? "", m.Email));
        return message;
    }

    // Our own links are the only URLs in these texts; make them clickable in the HTML part.
    private string Linkify(string encoded) =>
        System.Text.RegularExpressions.Regex.Replace(encoded, $@"{System.Text.RegularExpressions.Regex.Escape(System.Net.WebUtility.HtmlEncode(BaseUrl))}/[a-z/]*",
            u => $"<a href=\"{u.Value}\">{u.Value}</a>");
}
