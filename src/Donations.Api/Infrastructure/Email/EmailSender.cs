using MimeKit;

namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// Sends email. A session holds one connection (SMTP) so a batch of receipts costs one
/// handshake; sessions are not thread-safe, like MailKit's client under them.
/// </summary>
public interface IEmailSender
{
    Task<IEmailSession> OpenSessionAsync(CancellationToken ct);
}

public interface IEmailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

public static class EmailSenderExtensions
{
    public static async Task SendAsync(this IEmailSender sender, MimeMessage message, CancellationToken ct)
    {
        await using var session = await sender.OpenSessionAsync(ct);
        await session.SendAsync(message, ct);
    }
}

/// <summary>The server refused the message for good (a 5xx answer): retrying will not help.</summary>
public sealed class EmailRejectedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server asked to try again later (a 4xx answer): the caller's retry will.</summary>
public sealed class EmailDeferredException(string message, int statusCode) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
