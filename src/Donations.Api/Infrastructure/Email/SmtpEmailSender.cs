using System.Net.Sockets;
using Donations.Api.Infrastructure.Configuration;
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
            catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
            {
                throw new EmailRejectedException($"The mail server refused the message ({(int)ex.StatusCode}): {ex.Message}", ex);
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
