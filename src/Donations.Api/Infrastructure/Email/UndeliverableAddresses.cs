using MimeKit;

namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// Drops, before any connection, a message whose every recipient is under the reserved
/// <c>.invalid</c> top-level domain (RFC 2606, RFC 6761: it never resolves). Erased donors carry
/// such a pseudonym address, so a receipt, statement or membership email that would still be due
/// for them goes nowhere, and is counted as handled instead of failing and being retried.
/// </summary>
public sealed class UndeliverableAddresses(IEmailSender inner, ILogger<UndeliverableAddresses> log) : IEmailSender
{
    public const string ReservedDomain = ".invalid";

    public static bool IsUndeliverable(string address) =>
        address.EndsWith(ReservedDomain, StringComparison.OrdinalIgnoreCase);

    // Opened as before, so that an unreachable server still shows when the session starts.
    public async Task<IEmailSession> OpenSessionAsync(CancellationToken ct) => new Session(await inner.OpenSessionAsync(ct), log);

    private sealed class Session(IEmailSession inner, ILogger log) : IEmailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            if (message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).All(m => IsUndeliverable(m.Address)))
            {
                log.LogInformation("Message {MessageId} not sent: its recipient is an erased or reserved address", message.MessageId);
                return;
            }
            await inner.SendAsync(message, ct);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
