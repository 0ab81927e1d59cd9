using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace Donations.Api.Infrastructure.Email;

/// <summary>What a message's templates made of its model: subject, plain text and HTML.</summary>
public sealed record MailContent(string Subject, string Text, string Html);

/// <summary>
/// Who gets a message and under which Message-Id. <see cref="Thread"/> is the Message-Id it
/// answers (In-Reply-To and References); <see cref="Headers"/> are the extra ones a feature
/// tags its messages with.
/// </summary>
public sealed record MailEnvelope(string ToAddress, string? ToName, string MessageId)
{
    public string? Thread { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>
/// The one way mail leaves the service. Every message is rendered from the editable templates
/// <c>&lt;name&gt;.subject.liquid</c>, <c>&lt;name&gt;.txt.liquid</c> and <c>&lt;name&gt;.html.liquid</c>
/// (<see cref="DocumentTemplates"/>), gets its From, To, Date, Message-Id and threading headers
/// here, and is handed to the configured <see cref="IEmailSender"/> here. Which message goes out
/// exactly once is the sender's row claim (claim with a lease, send, mark sent), so a resend after
/// a crash carries the Message-Id chosen before the first attempt.
/// </summary>
public sealed class OutboundMail(DocumentTemplates templates, IEmailSender sender, IOptions<EmailOptions> email, TimeProvider clock)
{
    /// <summary>A Message-Id unique to one message, under the From address's domain.</summary>
    public string NewMessageId(string localPart) =>
        $"{localPart}.{Guid.NewGuid():N}@{MailboxAddress.Parse(email.Value.From).Domain}";

    /// <summary>Subject and text body only: enough to lay out a PDF from.</summary>
    public async Task<(string Subject, string Text)> RenderTextAsync<TModel>(string template, TModel model) where TModel : class =>
        ((await templates.RenderTextAsync($"{template}.subject.liquid", model)).Trim(),
         await templates.RenderTextAsync($"{template}.txt.liquid", model));

    public async Task<MailContent> RenderAsync<TModel>(string template, TModel model) where TModel : class
    {
        var (subject, text) = await RenderTextAsync(template, model);
        return new MailContent(subject, text, await templates.RenderHtmlAsync($"{template}.html.liquid", model));
    }

    public MimeMessage Compose(MailEnvelope envelope, MailContent content, params MailAttachment[] attachments)
    {
        // Date and Message-Id given to the constructor: the parameterless one makes up both (from
        // the local clock and the host's name), only for them to be replaced, for every message.
        var message = new MimeMessage(
            new Header(HeaderId.Date, DateUtils.FormatDate(clock.GetUtcNow())),
            new Header(HeaderId.MessageId, $"<{envelope.MessageId}>")) { Subject = content.Subject };
        message.From.Add(MailboxAddress.Parse(email.Value.From));
        message.To.Add(new MailboxAddress(envelope.ToName ?? "", envelope.ToAddress));
        foreach (var (name, value) in envelope.Headers) message.Headers.Add(name, value);
        if (envelope.Thread is { } thread)
        {
            message.InReplyTo = thread;
            message.References.Add(thread);
        }
        message.Body = EncodedBody.Create(content.Text, content.Html, attachments);
        return message;
    }

    /// <summary>Renders <paramref name="template"/> and composes the message in one go.</summary>
    public async Task<MimeMessage> ComposeAsync<TModel>(string template, TModel model, MailEnvelope envelope) where TModel : class =>
        Compose(envelope, await RenderAsync(template, model));

    /// <summary>One connection for a batch of messages; not thread-safe.</summary>
    public Task<IEmailSession> OpenSessionAsync(CancellationToken ct) => sender.OpenSessionAsync(ct);

    /// <summary>One message on its own connection.</summary>
    public Task SendAsync(MimeMessage message, CancellationToken ct) => sender.SendAsync(message, ct);
}
