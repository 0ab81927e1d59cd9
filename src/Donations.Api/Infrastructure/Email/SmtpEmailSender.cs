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
            if (SizeGoesUnsaid(client.MaxSize)) client.Capabilities &= ~SmtpCapabilities.Size;
            return new Session(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A server limit this large is out of reach of a receipt or a statement (tens to hundreds of KB).</summary>
    private const uint GenerousSizeLimit = 4 * 1024 * 1024;

    /// <summary>
    /// Where the server offers SIZE, MailKit writes every message out once only to count its bytes for
    /// <c>MAIL FROM … SIZE=n</c>, then again as DATA. Against a generous limit (Postfix's default is
    /// 10,240,000 bytes; none stated means none) the count is left out: a message cannot reach it.
    /// Under a tighter one the size is still declared, so the server refuses an oversized message
    /// before its data, with a 5xx the session reports as a rejection, rather than perhaps by
    /// dropping the connection, which would read as an outage and be retried.
    /// </summary>
    private static bool SizeGoesUnsaid(uint serverLimit) => serverLimit == 0 || serverLimit >= GenerousSizeLimit;

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
