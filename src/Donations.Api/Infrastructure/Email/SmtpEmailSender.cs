using System.Net.Sockets;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Logging;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Infrastructure.Email;

internal sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public async Task<IEmailSession> OpenSessionAsync(CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        var client = new SmtpClient();
        try
        {
            // MailKit leaves Nagle's algorithm on; a PDF-sized message then stalls ~40 ms per send.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(smtp.Host!, smtp.Port, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await client.ConnectAsync(socket, smtp.Host!, smtp.Port, ToMailKit(smtp.Security), ct);
            if (!string.IsNullOrEmpty(smtp.Username))
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            // Where the server offers SIZE, MailKit writes every message out once only to count its
            // bytes for MAIL FROM, then again as DATA. Receipts and statements are tens of KB against
            // limits of megabytes; one over a server's limit is refused after its data rather than
            // before, with a 5xx answer the session reports as a rejection like any other.
            client.Capabilities &= ~SmtpCapabilities.Size;
            return new Session(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    private sealed class Session(SmtpClient client) : IEmailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            try
            {
                await client.SendAsync(message, ct);
            }
            catch (SmtpCommandException ex)
            {
                // The server's answer often quotes the address ("<ada@example.org>: mailbox full").
                // What is thrown here ends up in Hangfire's job state (message, and the inner
                // exceptions' ToString), where no erasure reaches: it carries the code and the
                // answer with any address redacted, and no inner exception.
                var code = (int)ex.StatusCode;
                var answer = $"({code}): {Redact.Addresses(ex.Message)}";
                if (code >= 500) throw new EmailRejectedException("The mail server refused the message " + answer);
                if (code >= 400) throw new EmailDeferredException("The mail server deferred the message " + answer, code);
                throw new IOException("The mail server answered unexpectedly " + answer);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception)
            {
                // The messages are already accepted or failed; a failed QUIT changes nothing.
            }
            client.Dispose();
        }
    }
}
